package io.stoke.common.definition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Reads {@code global-function-definition.yml} into {@link FunctionDefinitions}.
 *
 * <p>Two layouts are accepted: Stoke's ({@code functions:} list, optional {@code defaults:}) and
 * the original design's ({@code usable-functions:} map). Parsing uses SnakeYAML's safe constructor
 * only. Every problem is collected, not just the first; then the whole file is rejected, so a
 * half-valid file never half-deploys.
 */
public final class DefinitionLoader {

  static final List<String> TOP_KEYS = List.of("defaults", "functions", "usable-functions");
  static final List<String> FUNCTION_KEYS =
      List.of(
          "name",
          "runtime",
          "source",
          "handler",
          "version",
          "image",
          "port",
          "mode",
          "environment",
          "timeout",
          "resources",
          "scaling",
          "loadBalancing",
          "auth",
          "dependencies",
          "readinessPath",
          "pure",
          "cache");
  static final List<String> DEFAULTS_KEYS =
      FUNCTION_KEYS.stream()
          .filter(
              k ->
                  !List.of("name", "source", "handler", "image", "readinessPath", "pure", "cache")
                      .contains(k))
          .toList();
  static final List<String> CACHE_KEYS = List.of("maxEntries", "ttl");
  static final List<String> RESOURCE_KEYS = List.of("memory", "cpus", "pids");
  static final List<String> SCALING_KEYS =
      List.of(
          "minInstances",
          "maxInstances",
          "concurrency",
          "queueSize",
          "idleTimeout",
          "startTimeout",
          "targetUtilization",
          "stableWindow",
          "panicWindow",
          "panicThreshold",
          "scaleDownDelay",
          "maxScaleUpRate");
  static final List<String> ORIGINAL_KEYS = List.of("name", "version", "configuration");
  static final List<String> ORIGINAL_CONFIGURATION_KEYS =
      List.of(
          "programing_language",
          "base_function_file_name",
          "function_folder",
          "extra_dependencies");

  /** Docker image references: [registry[:port]/]path[:tag][@sha256:digest]. */
  public static final Pattern IMAGE_REFERENCE =
      Pattern.compile(
          "(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
              + "(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
              + "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?");

  private static final int MAX_FILE_CHARS = 4 * 1024 * 1024;

  private final Path functionsDir;

  /**
   * @param functionsDir the folder function sources live in, to check that each source folder
   *     exists; null to skip those checks
   */
  public DefinitionLoader(Path functionsDir) {
    this.functionsDir = functionsDir;
  }

  public FunctionDefinitions load(Path file) throws InvalidDefinitionsException {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new InvalidDefinitionsException(
          file.toString(), List.of(new DefinitionProblem("", "no such file: " + file)));
    } catch (IOException e) {
      throw new InvalidDefinitionsException(
          file.toString(),
          List.of(new DefinitionProblem("", "cannot read " + file + ": " + e.getMessage())));
    }
    return parse(text, file.toString());
  }

  public FunctionDefinitions parse(String yaml, String source) throws InvalidDefinitionsException {
    var problems = new ArrayList<DefinitionProblem>();
    Object document = readYaml(yaml, problems);
    if (!problems.isEmpty()) {
      throw new InvalidDefinitionsException(source, problems);
    }
    var functions = new ArrayList<FunctionDefinition>();
    var names = new ArrayList<String>();
    if (document == null) {
      problems.add(new DefinitionProblem("functions", "functions: " + NO_FUNCTIONS_KEY));
    } else if (!(document instanceof Map<?, ?> top)) {
      problems.add(
          new DefinitionProblem(
              "", "the file must be a mapping with a 'functions:' list, not " + document));
    } else {
      readTop(new Node("", Node.stringKeys(top), problems), functions, names);
    }
    checkDuplicates(names, problems);
    if (!problems.isEmpty()) {
      throw new InvalidDefinitionsException(source, problems);
    }
    return new FunctionDefinitions(functions);
  }

  static final String NO_FUNCTIONS_KEY =
      "the file has no 'functions:' key: list the functions under it (write 'functions: []' for"
          + " none)";

  private static Object readYaml(String yaml, List<DefinitionProblem> problems) {
    var options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(20);
    options.setCodePointLimit(MAX_FILE_CHARS);
    options.setAllowRecursiveKeys(false);
    try {
      var dumper = new DumperOptions();
      return new Yaml(
              new SafeConstructor(options),
              new Representer(dumper),
              dumper,
              options,
              new Yaml12Booleans())
          .load(yaml);
    } catch (MarkedYAMLException e) {
      var mark = e.getProblemMark();
      var where =
          mark == null
              ? ""
              : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
      problems.add(new DefinitionProblem("", "not valid YAML" + where + ": " + e.getProblem()));
    } catch (YAMLException e) {
      problems.add(new DefinitionProblem("", "not valid YAML: " + e.getMessage()));
    }
    return null;
  }

  private void readTop(Node top, List<FunctionDefinition> functions, List<String> names) {
    top.rejectUnknownKeys(TOP_KEYS);
    if (!top.present("functions") && !top.present("usable-functions")) {
      top.problem("functions", NO_FUNCTIONS_KEY);
    }
    Node defaults = top.child("defaults");
    defaults.rejectUnknownKeys(DEFAULTS_KEYS);
    if (top.has("functions")) {
      if (top.raw("functions") instanceof List<?> list) {
        for (int i = 0; i < list.size(); i++) {
          nameOf(list.get(i)).ifPresent(names::add);
          readEntry("functions[" + i + "]", list.get(i), defaults, top, functions);
        }
      } else {
        top.problem("functions", "must be a list of functions, each starting with '- name: ...'");
      }
    }
    Node original = top.child("usable-functions");
    if (top.raw("usable-functions") instanceof Map<?, ?> entries) {
      var byKey = Node.stringKeys(entries);
      for (var key : Node.keys(byKey)) {
        nameOf(byKey.get(key)).ifPresent(names::add);
        readOriginal(original.child(key), defaults, functions);
      }
    }
  }

  /** The name an entry gives itself, read before anything else so duplicates are always seen. */
  private static java.util.Optional<String> nameOf(Object entry) {
    return entry instanceof Map<?, ?> map && map.get("name") != null
        ? java.util.Optional.of(String.valueOf(map.get("name")).trim())
        : java.util.Optional.empty();
  }

  private void readEntry(
      String position, Object entry, Node defaults, Node top, List<FunctionDefinition> out) {
    if (!(entry instanceof Map<?, ?> map)) {
      top.problem(position, entry, "must be a mapping with at least 'name' and 'runtime'");
      return;
    }
    var values = Node.stringKeys(map);
    var name = values.get("name");
    var path =
        name != null && FunctionDefinition.NAME.matcher(String.valueOf(name)).matches()
            ? "functions." + name
            : position;
    var problems = top.problemsSink();
    readFunction(new Node(path, merge(defaults, values), problems), problems).ifPresent(out::add);
  }

  /** Translates an original-layout entry and reads it like any other. */
  private void readOriginal(Node entry, Node defaults, List<FunctionDefinition> out) {
    entry.rejectUnknownKeys(ORIGINAL_KEYS);
    Node configuration = entry.child("configuration");
    configuration.rejectUnknownKeys(ORIGINAL_CONFIGURATION_KEYS);
    var values = new LinkedHashMap<String, Object>();
    putIfPresent(values, "name", entry.raw("name"));
    putIfPresent(values, "version", entry.raw("version"));
    putIfPresent(values, "runtime", configuration.raw("programing_language"));
    putIfPresent(values, "handler", configuration.raw("base_function_file_name"));
    putIfPresent(values, "source", configuration.raw("function_folder"));
    putIfPresent(values, "dependencies", configuration.raw("extra_dependencies"));
    if (!values.containsKey("name")) {
      entry.problem("name", "is required");
      return;
    }
    var problems = entry.problemsSink();
    readFunction(new Node(entry.path(), merge(defaults, values), problems), problems)
        .ifPresent(out::add);
  }

  private static void putIfPresent(Map<String, Object> values, String key, Object value) {
    if (value != null) {
      values.put(key, value);
    }
  }

  /** Function values over defaults; nested mappings (scaling, resources) merge key by key. */
  private static Map<String, Object> merge(Node defaults, Map<String, Object> values) {
    var merged = new LinkedHashMap<String, Object>();
    for (var key : DEFAULTS_KEYS) {
      if (defaults.has(key)) {
        merged.put(key, defaults.raw(key));
      }
    }
    values.forEach(
        (key, value) -> {
          if (merged.get(key) instanceof Map<?, ?> base && value instanceof Map<?, ?> over) {
            var nested = new LinkedHashMap<String, Object>(Node.stringKeys(base));
            nested.putAll(Node.stringKeys(over));
            merged.put(key, nested);
          } else {
            merged.put(key, value);
          }
        });
    return merged;
  }

  private java.util.Optional<FunctionDefinition> readFunction(
      Node f, List<DefinitionProblem> problems) {
    int before = problems.size();
    f.rejectUnknownKeys(FUNCTION_KEYS);
    var name = f.string("name").orElse(null);
    if (name == null) {
      f.problem("name", "is required");
    } else if (!FunctionDefinition.NAME.matcher(name).matches()
        || FunctionDefinition.RESERVED_NAMES.contains(name)) {
      f.problem("name", name, FunctionDefinition.nameRule());
    } else if (name.startsWith(FunctionDefinition.USER_PREFIX)) {
      f.problem(
          "name",
          name,
          "must not start with '"
              + FunctionDefinition.USER_PREFIX
              + "': the prefix is reserved for functions users register through the API");
    }
    if (!f.has("runtime")) {
      f.problem("runtime", "is required: one of python, java, image");
    }
    var runtime = f.choice("runtime", Runtime.PYTHON, Runtime.class, Runtime::yamlName);
    var version = f.string("version", "1");
    if (!FunctionDefinition.VERSION.matcher(version).matches()) {
      f.problem("version", version, "must match " + FunctionDefinition.VERSION.pattern());
    }
    var source = readSource(f, runtime, name);
    var handler = readHandler(f, runtime, source);
    var image = readImage(f, runtime, name, version);
    var mode = f.choice("mode", ExecutionMode.HTTP, ExecutionMode.class, ExecutionMode::yamlName);
    if (mode == ExecutionMode.EXEC && runtime != Runtime.IMAGE) {
      f.problem("mode", "exec", "is only available with runtime: image");
    }
    int port = f.integer("port", 8080, 1, 65535);
    var environment = f.stringMap("environment");
    var timeout =
        f.duration(
            "timeout",
            FunctionDefinition.DEFAULT_TIMEOUT,
            Duration.ofMillis(100),
            FunctionDefinition.MAX_TIMEOUT);
    var resources = readResources(f.child("resources"));
    var scaling = readScaling(f.child("scaling"));
    var lb =
        f.choice(
            "loadBalancing",
            LoadBalancing.ROUND_ROBIN,
            LoadBalancing.class,
            LoadBalancing::yamlName);
    var auth = f.choice("auth", AuthMode.PUBLIC, AuthMode.class, AuthMode::yamlName);
    var dependencies = f.stringList("dependencies");
    if (!dependencies.isEmpty() && runtime != Runtime.PYTHON) {
      f.problem(
          "dependencies",
          dependencies,
          runtime == Runtime.JAVA
              ? "is for python functions; put a java function's jars in its folder's lib/"
              : "is for python functions; a runtime: image function installs its own in its"
                  + " Dockerfile");
    }
    for (var dependency : dependencies) {
      if (!FunctionDefinition.DEPENDENCY.matcher(dependency).matches()) {
        f.problem(
            "dependencies",
            dependency,
            "must be one pip requirement without spaces or shell characters, e.g. requests,"
                + " requests==2.32.3, requests[socks]>=2.31");
      }
    }
    // Checked by FunctionDefinition itself; its message names the key and the rule.
    var readinessPath = f.string("readinessPath").orElse(null);
    boolean pure = f.bool("pure", false);
    var cache = readCache(f, pure);
    if (problems.size() > before) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(
          new FunctionDefinition(
              name,
              runtime,
              source,
              handler,
              version,
              image,
              port,
              mode,
              environment,
              timeout,
              resources,
              scaling,
              lb,
              auth,
              dependencies,
              readinessPath,
              pure,
              cache));
    } catch (IllegalArgumentException e) {
      problems.add(new DefinitionProblem(f.path(), f.path() + "." + e.getMessage()));
      return java.util.Optional.empty();
    }
  }

  private String readSource(Node f, Runtime runtime, String name) {
    var source = f.string("source").orElse(runtime.isTemplated() ? name : null);
    if (source == null) {
      return null;
    }
    if (!source.matches("[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*")
        || source.contains("..")) {
      f.problem("source", source, "must be a relative folder under functions/ (no '..')");
      return null;
    }
    if (functionsDir != null && !Files.isDirectory(functionsDir.resolve(source))) {
      f.problem("source", source, "no such folder " + functionsDir.resolve(source));
      return null;
    }
    if (runtime == Runtime.IMAGE
        && functionsDir != null
        && !Files.isRegularFile(functionsDir.resolve(source).resolve("Dockerfile"))) {
      f.problem("source", source, "must contain a Dockerfile for runtime: image");
    }
    return source;
  }

  private String readHandler(Node f, Runtime runtime, String source) {
    return switch (runtime) {
      case PYTHON -> {
        var handler = f.string("handler", "handler.py");
        if (!handler.matches("[A-Za-z_][A-Za-z0-9_]*\\.py")) {
          f.problem("handler", handler, "must be a python file name like handler.py");
        } else if (functionsDir != null
            && source != null
            && !Files.isRegularFile(functionsDir.resolve(source).resolve(handler))) {
          f.problem(
              "handler", handler, "no such file " + functionsDir.resolve(source).resolve(handler));
        }
        yield handler;
      }
      case JAVA -> {
        var handler = f.string("handler", "Handler");
        if (!handler.matches("([a-z_][a-z0-9_]*\\.)*[A-Za-z_$][A-Za-z0-9_$]*")) {
          f.problem("handler", handler, "must be a Java class name like Echo or com.example.Echo");
        } else if (functionsDir != null
            && source != null
            && !JavaSources.exists(functionsDir.resolve(source), handler)) {
          f.problem(
              "handler",
              handler,
              "no source file for this class: expected "
                  + JavaSources.expected(functionsDir.resolve(source), handler));
        }
        yield handler;
      }
      case IMAGE -> {
        if (f.has("handler")) {
          f.problem("handler", f.raw("handler"), "is not used with runtime: image");
        }
        yield null;
      }
    };
  }

  private static String readImage(Node f, Runtime runtime, String name, String version) {
    if (runtime.isTemplated()) {
      if (f.has("image")) {
        f.problem("image", f.raw("image"), "is set by Stoke for runtime " + runtime.yamlName());
      }
      return FunctionDefinition.templatedImage(name == null ? "invalid" : name, version);
    }
    var image = f.string("image").orElse(null);
    if (image == null) {
      f.problem("image", "is required for runtime: image (an image reference like myorg/fn:1.0)");
      return "";
    }
    if (!IMAGE_REFERENCE.matcher(image).matches()) {
      f.problem("image", image, "is not a valid image reference like registry:5000/org/fn:1.0");
    }
    return image;
  }

  /** The {@code cache} mapping, or null when absent; its ranges are {@link ResultCache}'s. */
  private static ResultCache readCache(Node f, boolean pure) {
    if (!f.has("cache")) {
      return null;
    }
    if (!(f.raw("cache") instanceof Map<?, ?>)) {
      f.problem("cache", f.raw("cache"), "must be a mapping with maxEntries and ttl");
      return null;
    }
    if (!pure) {
      f.problem("cache", ResultCache.PURE_RULE);
    }
    Node c = f.child("cache");
    c.rejectUnknownKeys(CACHE_KEYS);
    int maxEntries =
        c.integer(
            "maxEntries",
            ResultCache.DEFAULT_MAX_ENTRIES,
            ResultCache.MIN_ENTRIES,
            ResultCache.MAX_ENTRIES);
    // Parsed without bounds here so the one range rule, ResultCache's, words the problem.
    var ttl = c.duration("ttl", ResultCache.DEFAULT_TTL, Duration.ZERO, Duration.ofDays(36_500));
    if (!ResultCache.ttlInRange(ttl)) {
      c.problem("ttl", c.raw("ttl"), ResultCache.ttlRule());
      return null;
    }
    return new ResultCache(maxEntries, ttl);
  }

  private static Resources readResources(Node r) {
    r.rejectUnknownKeys(RESOURCE_KEYS);
    var d = Resources.DEFAULT;
    long memory = r.memory("memory", d.memoryBytes(), Resources.MIN_MEMORY, Resources.MAX_MEMORY);
    double cpus = r.decimal("cpus", d.cpus(), 0.01, 64, "in [0.01, 64]");
    int pids = r.integer("pids", d.pids(), 16, 32768);
    return new Resources(memory, cpus, pids);
  }

  private static ScalingPolicy readScaling(Node s) {
    s.rejectUnknownKeys(SCALING_KEYS);
    var d = ScalingPolicy.DEFAULT;
    var day = Duration.ofDays(1);
    var ms = Duration.ofMillis(1);
    int max = ScalingPolicy.MAX_INSTANCES_LIMIT;
    int minInstances = s.integer("minInstances", d.minInstances(), 0, max);
    int maxInstances = s.integer("maxInstances", Math.max(d.maxInstances(), minInstances), 1, max);
    if (minInstances > maxInstances) {
      s.problem(
          "minInstances",
          minInstances,
          "must not exceed " + s.pathOf("maxInstances") + " = " + maxInstances);
      minInstances = maxInstances;
    }
    return new ScalingPolicy(
        minInstances,
        maxInstances,
        s.integer("concurrency", d.concurrency(), 0, 100_000),
        s.integer("queueSize", d.queueSize(), 0, 1_000_000),
        s.duration("idleTimeout", d.idleTimeout(), Duration.ofMillis(100), day),
        s.duration(
            "startTimeout", d.startTimeout(), Duration.ofMillis(100), Duration.ofMinutes(30)),
        s.decimal("targetUtilization", d.targetUtilization(), 0.01, 1, "in [0.01, 1]"),
        s.duration("stableWindow", d.stableWindow(), ms, Duration.ofHours(1)),
        s.duration("panicWindow", d.panicWindow(), ms, Duration.ofHours(1)),
        s.decimal("panicThreshold", d.panicThreshold(), 1, 1000, "in [1, 1000]"),
        s.duration("scaleDownDelay", d.scaleDownDelay(), Duration.ZERO, Duration.ofHours(1)),
        s.decimal("maxScaleUpRate", d.maxScaleUpRate(), 1.01, 1000, "in [1.01, 1000]"));
  }

  /** Every name given more than once, whatever else is wrong with the entries that give it. */
  private static void checkDuplicates(List<String> names, List<DefinitionProblem> problems) {
    var seen = new HashSet<String>();
    for (var name : names) {
      if (!seen.add(name)) {
        problems.add(
            new DefinitionProblem(
                "functions." + name,
                "functions."
                    + name
                    + ".name = "
                    + name
                    + ", is defined more than once: function names must be unique"));
      }
    }
  }
}
