package io.stoke.common.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DefinitionLoaderTest {

  private final DefinitionLoader loader = new DefinitionLoader(null);

  private FunctionDefinitions parse(String yaml) throws InvalidDefinitionsException {
    return loader.parse(yaml, "test.yml");
  }

  private List<String> problems(String yaml) {
    var e = catchThrowableOfType(InvalidDefinitionsException.class, () -> parse(yaml));
    assertThat(e).as("expected the definitions to be rejected").isNotNull();
    return e.problems().stream().map(DefinitionProblem::message).toList();
  }

  @Test
  void readsAMinimalPythonFunctionWithEveryDefault() throws Exception {
    var defs = parse("functions:\n  - name: hello\n    runtime: python\n");

    var hello = defs.find("hello").orElseThrow();
    assertThat(hello.runtime()).isEqualTo(Runtime.PYTHON);
    assertThat(hello.source()).isEqualTo("hello");
    assertThat(hello.handler()).isEqualTo("handler.py");
    assertThat(hello.version()).isEqualTo("1");
    assertThat(hello.image()).isEqualTo("stoke-fn/hello:1");
    assertThat(hello.port()).isEqualTo(8080);
    assertThat(hello.mode()).isEqualTo(ExecutionMode.HTTP);
    assertThat(hello.timeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(hello.scaling()).isEqualTo(ScalingPolicy.DEFAULT);
    assertThat(hello.scaling().minInstances()).isZero();
    assertThat(hello.scaling().idleTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(hello.resources()).isEqualTo(Resources.DEFAULT);
    assertThat(hello.loadBalancing()).isEqualTo(LoadBalancing.ROUND_ROBIN);
    assertThat(hello.auth()).isEqualTo(AuthMode.PUBLIC);
  }

  @Test
  void readinessPathDefaultsToTheRuntimesOwnAndIsCheckedForTheProbesRequestLine() throws Exception {
    var defs =
        parse(
            """
            functions:
              - name: hello
                runtime: python
              - name: web
                runtime: image
                image: nginx:1.27
                readinessPath: /healthz?full=1
            """);
    assertThat(defs.find("hello").orElseThrow().readinessPath()).isEqualTo("/_/ready");
    assertThat(defs.find("web").orElseThrow().readinessPath()).isEqualTo("/healthz?full=1");

    var problems =
        problems(
            """
            functions:
              - name: web
                runtime: image
                image: nginx:1.27
                readinessPath: "/ready HTTP/1.1\\r\\nX: y"
              - name: other
                runtime: image
                image: nginx:1.27
                readinessPath: healthz
            """);
    assertThat(problems)
        .anySatisfy(p -> assertThat(p).contains("web").contains("readinessPath"))
        .anySatisfy(
            p -> assertThat(p).contains("other").contains("readinessPath").contains("/healthz"));
  }

  @Test
  void dependenciesArePipRequirementsOfPythonFunctionsOnly() throws Exception {
    var ok =
        parse(
            """
            functions:
              - name: fetch
                runtime: python
                dependencies: ["requests==2.32.3", "attrs[tests]>=23,<25", "./wheels/x.whl"]
            """);
    assertThat(ok.find("fetch").orElseThrow().dependencies())
        .containsExactly("requests==2.32.3", "attrs[tests]>=23,<25", "./wheels/x.whl");

    var problems =
        problems(
            """
            functions:
              - name: shout
                runtime: java
                handler: Shout
                dependencies: [commons-lang3]
              - name: fetch
                runtime: python
                dependencies: ["requests; rm -rf /", "$(id)", "a b"]
            """);

    assertThat(problems)
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("shout")
                    .contains("dependencies")
                    .contains("is for python functions")
                    .contains("lib/"))
        .anySatisfy(p -> assertThat(p).contains("fetch").contains("requests; rm -rf /"))
        .anySatisfy(p -> assertThat(p).contains("$(id)").contains("one pip requirement"))
        .anySatisfy(p -> assertThat(p).contains("fetch").contains("a b"));
  }

  @Test
  void readsEveryKey() throws Exception {
    var defs =
        parse(
            """
            functions:
              - name: resize
                runtime: image
                image: registry.local:5000/org/resize:2.1
                port: 9000
                mode: http
                version: "2.1"
                environment: {MODE: fast, LEVEL: 3}
                timeout: 2m
                resources: {memory: 512Mi, cpus: 0.5, pids: 64}
                scaling:
                  minInstances: 1
                  maxInstances: 4
                  concurrency: 0
                  queueSize: 7
                  idleTimeout: 1500ms
                  startTimeout: 5s
                  targetUtilization: 0.5
                  stableWindow: 20s
                  panicWindow: 1s
                  panicThreshold: 3
                  scaleDownDelay: 5s
                  maxScaleUpRate: 2
                loadBalancing: least-requests
                auth: required
            """);

    var f = defs.find("resize").orElseThrow();
    assertThat(f.image()).isEqualTo("registry.local:5000/org/resize:2.1");
    assertThat(f.port()).isEqualTo(9000);
    assertThat(f.source()).isNull();
    assertThat(f.environment()).containsEntry("MODE", "fast").containsEntry("LEVEL", "3");
    assertThat(f.timeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(f.resources()).isEqualTo(new Resources(512L * 1024 * 1024, 0.5, 64));
    var s = f.scaling();
    assertThat(s.minInstances()).isEqualTo(1);
    assertThat(s.maxInstances()).isEqualTo(4);
    assertThat(s.unlimitedConcurrency()).isTrue();
    assertThat(s.queueSize()).isEqualTo(7);
    assertThat(s.idleTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(s.startTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.targetUtilization()).isEqualTo(0.5);
    assertThat(s.stableWindow()).isEqualTo(Duration.ofSeconds(20));
    assertThat(s.panicWindow()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.panicThreshold()).isEqualTo(3.0);
    assertThat(s.scaleDownDelay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.maxScaleUpRate()).isEqualTo(2.0);
    assertThat(f.loadBalancing()).isEqualTo(LoadBalancing.LEAST_REQUESTS);
    assertThat(f.auth()).isEqualTo(AuthMode.REQUIRED);
  }

  @Test
  void readsTheResultCacheOfAPureFunctionAndLeavesOthersUncached() throws Exception {
    var defs =
        parse(
            "functions:\n"
                + "  - {name: sq, runtime: python, pure: true, cache: {maxEntries: 50, ttl: 5m}}\n"
                + "  - {name: dflt, runtime: python, pure: true, cache: {}}\n"
                + "  - {name: pureonly, runtime: python, pure: true}\n"
                + "  - {name: plain, runtime: python}\n");

    var sq = defs.find("sq").orElseThrow();
    assertThat(sq.cache()).isEqualTo(new ResultCache(50, Duration.ofMinutes(5)));
    assertThat(sq.cached()).isTrue();
    assertThat(defs.find("dflt").orElseThrow().cache())
        .isEqualTo(new ResultCache(ResultCache.DEFAULT_MAX_ENTRIES, ResultCache.DEFAULT_TTL));
    assertThat(defs.find("pureonly").orElseThrow().cached()).isFalse();
    assertThat(defs.find("plain").orElseThrow().pure()).isFalse();
    assertThat(defs.find("plain").orElseThrow().cache()).isNull();
  }

  @Test
  void cacheAndPureAreNotAllowedUnderDefaults() {
    var yaml = "defaults: {pure: true}\nfunctions:\n  - {name: f, runtime: python}\n";

    assertThat(problems(yaml))
        .anySatisfy(m -> assertThat(m).startsWith("defaults.pure: unknown key"));
  }

  @Test
  void appliesDefaultsUnderEachFunctionsOwnValues() throws Exception {
    var defs =
        parse(
            """
            defaults:
              timeout: 5s
              scaling: {maxInstances: 3, concurrency: 4}
            functions:
              - name: a
                runtime: python
              - name: b
                runtime: python
                timeout: 9s
                scaling: {concurrency: 1}
            """);

    var a = defs.find("a").orElseThrow();
    var b = defs.find("b").orElseThrow();
    assertThat(a.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(a.scaling().maxInstances()).isEqualTo(3);
    assertThat(b.timeout()).isEqualTo(Duration.ofSeconds(9));
    assertThat(b.scaling().maxInstances()).isEqualTo(3);
    assertThat(b.scaling().concurrency()).isEqualTo(1);
  }

  @Test
  void readsTheOriginalLayoutUnchanged() throws Exception {
    var defs =
        parse(
            """
            usable-functions:
              example-faas:
                name: "example-faas-name"
                version: 0.1
                configuration:
                  programing_language: "python"
                  base_function_file_name: "example.py"
                  function_folder: "example"
                  extra_dependencies: ""
              hello:
                name: hello
                version: 1.0
                configuration:
                  programing_language: python
                  base_function_file_name: hello.py
                  function_folder: hello
                  extra_dependencies: "requests numpy"
            """);

    var example = defs.find("example-faas-name").orElseThrow();
    assertThat(example.runtime()).isEqualTo(Runtime.PYTHON);
    assertThat(example.version()).isEqualTo("0.1");
    assertThat(example.handler()).isEqualTo("example.py");
    assertThat(example.source()).isEqualTo("example");
    assertThat(example.dependencies()).isEmpty();
    assertThat(defs.find("hello").orElseThrow().dependencies())
        .containsExactly("requests", "numpy");
  }

  @Test
  void loadsTheShippedDefinitionsFileWithItsSourceFolders() throws Exception {
    var root = projectRoot();
    var defs =
        new DefinitionLoader(root.resolve("functions"))
            .load(root.resolve("global-function-definition.yml"));

    assertThat(defs.names()).contains("hello", "echo", "sleep", "primes", "upper");
    assertThat(defs.find("upper").orElseThrow().mode()).isEqualTo(ExecutionMode.EXEC);
    assertThat(defs.find("echo").orElseThrow().runtime()).isEqualTo(Runtime.JAVA);
  }

  @Test
  void aMissingSourceFolderOrHandlerFileIsNamed(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("hello"));
    var yaml =
        "functions:\n  - {name: hello, runtime: python}\n  - {name: gone, runtime: python}\n";

    var e =
        catchThrowableOfType(
            InvalidDefinitionsException.class,
            () -> new DefinitionLoader(dir).parse(yaml, "x.yml"));

    assertThat(e.problems())
        .extracting(DefinitionProblem::message)
        .anySatisfy(
            m -> assertThat(m).startsWith("functions.hello.handler = handler.py, no such file"))
        .anySatisfy(m -> assertThat(m).startsWith("functions.gone.source = gone, no such folder"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          unknown runtime        | runtime: ruby                 | functions.f.runtime = ruby, must be one of python, java, image
          runtime typo hint      | runtime: pyton                | functions.f.runtime = pyton, must be one of python, java, image (did you mean 'python'?)
          unknown key            | runtime: python\\n    scalling: {}   | functions.f.scalling: unknown key, did you mean 'scaling'?
          zero max instances     | runtime: python\\n    scaling: {maxInstances: 0} | functions.f.scaling.maxInstances = 0, must be in [1, 1000]
          min above max          | runtime: python\\n    scaling: {minInstances: 5, maxInstances: 2} | functions.f.scaling.minInstances = 5, must not exceed functions.f.scaling.maxInstances = 2
          negative concurrency   | runtime: python\\n    scaling: {concurrency: -1} | functions.f.scaling.concurrency = -1, must be in [0, 100000]
          text instead of number | runtime: python\\n    scaling: {maxInstances: many} | functions.f.scaling.maxInstances = many, must be a whole number in [1, 1000]
          duration without unit  | runtime: python\\n    timeout: 30   | functions.f.timeout = 30, must be a duration like 500ms, 10s, 2m or 1h
          timeout too long       | runtime: python\\n    timeout: 2h   | functions.f.timeout = 2h, must be in [100ms, 1h]
          bad memory             | runtime: python\\n    resources: {memory: lots} | functions.f.resources.memory = lots, must be a size like 128m, 512Mi or 1g
          memory too small       | runtime: python\\n    resources: {memory: 1m} | functions.f.resources.memory = 1m, must be in [6m, 64g]
          bad cpus               | runtime: python\\n    resources: {cpus: 0} | functions.f.resources.cpus = 0, must be in [0.01, 64]
          bad lb policy          | runtime: python\\n    loadBalancing: sticky | functions.f.loadBalancing = sticky, must be one of round-robin, random, least-requests
          bad auth               | runtime: python\\n    auth: maybe   | functions.f.auth = maybe, must be one of public, required
          bad mode               | runtime: image\\n    image: a/b:1\\n    mode: batch | functions.f.mode = batch, must be one of http, exec
          exec needs image       | runtime: python\\n    mode: exec    | functions.f.mode = exec, is only available with runtime: image
          image missing          | runtime: image                | functions.f.image: is required for runtime: image
          bad image reference    | runtime: image\\n    image: 'UPPER CASE:!' | functions.f.image = UPPER CASE:!, is not a valid image reference
          image on python        | runtime: python\\n    image: x/y:1  | functions.f.image = x/y:1, is set by Stoke for runtime python
          bad port               | runtime: image\\n    image: a/b:1\\n    port: 70000 | functions.f.port = 70000, must be in [1, 65535]
          bad python handler     | runtime: python\\n    handler: main.rb | functions.f.handler = main.rb, must be a python file name like handler.py
          bad java handler       | runtime: java\\n    handler: 'my class' | functions.f.handler = my class, must be a Java class name
          bad version            | runtime: python\\n    version: 'a b' | functions.f.version = a b, must match
          bad env name           | runtime: python\\n    environment: {'1X': y} | functions.f.environment.1X: is not a valid environment variable name
          source escapes         | runtime: python\\n    source: ../etc | functions.f.source = ../etc, must be a relative folder under functions/
          bad utilization        | runtime: python\\n    scaling: {targetUtilization: 1.5} | functions.f.scaling.targetUtilization = 1.5, must be in [0.01, 1]
          missing runtime        | version: '1'                  | functions.f.runtime: is required: one of python, java, image
          cache without pure     | runtime: python\\n    cache: {ttl: 10s} | functions.f.cache: needs pure: true
          pure not a boolean     | runtime: python\\n    pure: maybe   | functions.f.pure = maybe, must be true or false
          cache entries zero     | runtime: python\\n    pure: true\\n    cache: {maxEntries: 0} | functions.f.cache.maxEntries = 0, must be in [1, 100000]
          cache entries too many | runtime: python\\n    pure: true\\n    cache: {maxEntries: 100001} | functions.f.cache.maxEntries = 100001, must be in [1, 100000]
          cache ttl zero         | runtime: python\\n    pure: true\\n    cache: {ttl: 0s} | functions.f.cache.ttl = 0s, must be in (0, 1h]
          cache ttl too long     | runtime: python\\n    pure: true\\n    cache: {ttl: 2h} | functions.f.cache.ttl = 2h, must be in (0, 1h]
          cache unknown key      | runtime: python\\n    pure: true\\n    cache: {size: 3} | functions.f.cache.size: unknown key
          cache not a mapping    | runtime: python\\n    pure: true\\n    cache: 5 | functions.f.cache = 5, must be a mapping
          """)
  void rejectsABadValueNamingFunctionKeyValueAndWhatIsAllowed(
      String title, String body, String expected) {
    var yaml = "functions:\n  - name: f\n    " + body.replace("\\n", "\n") + "\n";

    assertThat(problems(yaml)).anySatisfy(m -> assertThat(m).startsWith(expected));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          upper case      | Hello
          dotted          | my.fn
          reserved api    | api
          reserved actuator | actuator
          leading digit   | 1fn
          """)
  void rejectsNamesThatCannotBeAPathSegment(String title, String name) {
    var yaml = "functions:\n  - name: '" + name + "'\n    runtime: python\n";

    assertThat(problems(yaml))
        .anySatisfy(m -> assertThat(m).contains(".name = " + name + ", must match [a-z]"));
  }

  @Test
  void reservesTheUserFunctionPrefixForFunctionsRegisteredThroughTheApi() {
    var yaml = "functions:\n  - {name: u-alice-hello, runtime: python}\n";

    assertThat(problems(yaml))
        .anySatisfy(
            m ->
                assertThat(m)
                    .startsWith("functions.u-alice-hello.name = u-alice-hello, must not start"));
  }

  @Test
  void rejectsDuplicateNames() {
    var yaml = "functions:\n  - {name: hello, runtime: python}\n  - {name: hello, runtime: java}\n";

    assertThat(problems(yaml))
        .containsExactly(
            "functions.hello.name = hello, is defined more than once: function names must be"
                + " unique");
  }

  @Test
  void rejectsUnknownTopLevelKeysWithAHint() {
    assertThat(problems("functons:\n  - {name: a, runtime: python}\n"))
        .anySatisfy(
            m -> assertThat(m).startsWith("functons: unknown key, did you mean 'functions'?"));
  }

  @Test
  void reportsEveryProblemOfTheFileAtOnce() {
    var yaml =
        """
        functions:
          - name: a
            runtime: ruby
          - name: b
            runtime: python
            timeout: forever
            scaling: {maxInstances: 0}
        """;

    assertThat(problems(yaml)).hasSize(3);
  }

  @Test
  void reportsYamlSyntaxErrorsWithTheirLine() {
    assertThat(problems("functions:\n  - name: a\n   runtime: [python\n"))
        .singleElement()
        .satisfies(m -> assertThat(m).startsWith("not valid YAML at line"));
  }

  @Test
  void refusesYamlTagsThatWouldConstructArbitraryObjects() {
    var yaml = "functions: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[]]]\n";

    assertThat(problems(yaml))
        .singleElement()
        .satisfies(m -> assertThat(m).contains("not valid YAML"));
  }

  @Test
  void rejectsDuplicateKeysInsideAFunction() {
    assertThat(problems("functions:\n  - name: a\n    runtime: python\n    runtime: java\n"))
        .singleElement()
        .satisfies(m -> assertThat(m).contains("duplicate key runtime"));
  }

  @Test
  void aFileWithoutAFunctionsKeyIsAnErrorNotAnEmptyPlatform() {
    for (var yaml : List.of("", "# nothing yet\n", "defaults: {timeout: 10s}\n")) {
      assertThat(problems(yaml))
          .as("problems of %s", yaml)
          .containsExactly("functions: " + DefinitionLoader.NO_FUNCTIONS_KEY);
    }
  }

  @Test
  void anEmptyFunctionsListIsValidWhenWrittenOut() throws Exception {
    assertThat(parse("functions: []\n").functions()).isEmpty();
    assertThat(parse("functions:\n").functions()).isEmpty();
  }

  @Test
  void duplicateNamesAreReportedEvenWhenOneEntryHasAnotherProblem() {
    var yaml =
        "functions:\n  - {name: hello, runtime: python}\n  - {name: hello, runtime: pyton}\n";

    assertThat(problems(yaml))
        .containsExactlyInAnyOrder(
            "functions.hello.runtime = pyton, must be one of python, java, image (did you mean"
                + " 'python'?)",
            "functions.hello.name = hello, is defined more than once: function names must be"
                + " unique");
  }

  @ParameterizedTest(name = "auth: {0}")
  @CsvSource({"yes", "no", "on", "off", "Yes"})
  void yaml11BooleansAreReportedAsTheUserWroteThem(String written) {
    var yaml = "functions:\n  - name: f\n    runtime: python\n    auth: " + written + "\n";

    assertThat(problems(yaml))
        .containsExactly("functions.f.auth = " + written + ", must be one of public, required");
  }

  @Test
  void environmentValuesKeepTheWordsYesAndNo() throws Exception {
    var yaml = "functions:\n  - name: f\n    runtime: python\n    environment: {A: yes, B: true}\n";

    assertThat(parse(yaml).functions().getFirst().environment())
        .containsEntry("A", "yes")
        .containsEntry("B", "true");
  }

  @Test
  void aJavaHandlerClassWithoutASourceFileIsNamedWithTheExpectedPath(@TempDir Path dir)
      throws Exception {
    Files.createDirectories(dir.resolve("greet/com/example"));
    Files.writeString(dir.resolve("greet/GreetHandler.java"), "class GreetHandler {}");
    Files.writeString(dir.resolve("greet/com/example/Echo.java"), "class Echo {}");
    var yaml =
        """
        functions:
          - {name: greet, runtime: java, handler: GreetHandler}
          - {name: packaged, runtime: java, source: greet, handler: com.example.Echo}
          - {name: typo, runtime: java, source: greet, handler: GreetHandlr}
          - {name: elsewhere, runtime: java, source: greet, handler: org.acme.Missing}
        """;

    var e =
        catchThrowableOfType(
            InvalidDefinitionsException.class,
            () -> new DefinitionLoader(dir).parse(yaml, "x.yml"));

    assertThat(e.problems())
        .extracting(DefinitionProblem::message)
        .containsExactlyInAnyOrder(
            "functions.typo.handler = GreetHandlr, no source file for this class: expected "
                + dir.resolve("greet/GreetHandlr.java"),
            "functions.elsewhere.handler = org.acme.Missing, no source file for this class:"
                + " expected "
                + dir.resolve("greet/org/acme/Missing.java"));
  }

  @Test
  void scalingPoliciesChangeOneValueAtATimeAndStayValidated() {
    var policy = ScalingPolicy.DEFAULT.withConcurrency(3).withQueueSize(7);

    assertThat(policy.concurrency()).isEqualTo(3);
    assertThat(policy.queueSize()).isEqualTo(7);
    assertThat(policy.idleTimeout()).isEqualTo(ScalingPolicy.DEFAULT.idleTimeout());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> policy.withConcurrency(-1))
        .hasMessage("scaling.concurrency = -1, must be in [0, 100000]");
  }

  @Test
  void theDigestChangesWithWhatTheInstanceRunsOnly() throws Exception {
    var base = parse("functions:\n  - {name: a, runtime: python}\n").find("a").orElseThrow();
    var scaled =
        parse("functions:\n  - {name: a, runtime: python, scaling: {maxInstances: 3}}\n")
            .find("a")
            .orElseThrow();
    var changed =
        parse("functions:\n  - {name: a, runtime: python, environment: {X: y}}\n")
            .find("a")
            .orElseThrow();

    assertThat(scaled.definitionDigest()).isEqualTo(base.definitionDigest());
    assertThat(changed.definitionDigest()).isNotEqualTo(base.definitionDigest());
  }

  static Path projectRoot() {
    var dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("global-function-definition.yml"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("project root with global-function-definition.yml").isNotNull();
    return dir;
  }
}
