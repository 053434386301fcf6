package io.stoke.orchestrator.definitions;

import io.stoke.common.contract.InstanceEvent;
import io.stoke.common.definition.DefinitionLoader;
import io.stoke.common.definition.FunctionDefinition;
import io.stoke.common.definition.FunctionDefinitions;
import io.stoke.common.definition.InvalidDefinitionsException;
import io.stoke.common.registry.FunctionCatalog;
import io.stoke.common.registry.InstanceRegistry;
import io.stoke.orchestrator.image.ImageBuild;
import io.stoke.orchestrator.image.ImageBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the definitions file, builds the images, publishes the functions that can run and makes
 * them the orchestrator's desired set; reloads when the file changes or on SIGHUP. A file that does
 * not load leaves the previous definitions in force.
 */
public final class DefinitionsManager implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DefinitionsManager.class);

  private final Path file;
  private final DefinitionLoader loader;
  private final ImageBuilder images;
  private final FunctionSet functions;
  private final FunctionCatalog catalog;
  private final InstanceRegistry registry;
  private final boolean pruneImages;
  private final Runnable onApplied;
  private final Clock clock;
  private final UserFunctionSource userFunctions;
  private Map<String, FunctionDefinition> fileReady = Map.of();
  private Map<String, String> fileFailures = Map.of();
  private Map<String, FunctionDefinition> users = Map.of();
  private volatile FileTime lastModified;
  private volatile Thread watcher;
  private volatile boolean closed;

  public DefinitionsManager(
      Path file,
      Path functionsDir,
      ImageBuilder images,
      FunctionSet functions,
      FunctionCatalog catalog,
      InstanceRegistry registry,
      boolean pruneImages,
      Runnable onApplied,
      Clock clock) {
    this(
        file,
        functionsDir,
        images,
        functions,
        catalog,
        registry,
        pruneImages,
        onApplied,
        clock,
        null);
  }

  /**
   * @param userFunctions the http-mode functions users registered through the API, published next
   *     to the file's; null for none
   */
  public DefinitionsManager(
      Path file,
      Path functionsDir,
      ImageBuilder images,
      FunctionSet functions,
      FunctionCatalog catalog,
      InstanceRegistry registry,
      boolean pruneImages,
      Runnable onApplied,
      Clock clock,
      UserFunctionSource userFunctions) {
    this.file = file;
    this.loader = new DefinitionLoader(functionsDir);
    this.images = images;
    this.functions = functions;
    this.catalog = catalog;
    this.registry = registry;
    this.pruneImages = pruneImages;
    this.onApplied = onApplied;
    this.clock = clock;
    this.userFunctions = userFunctions;
  }

  /** Loads and applies the file; fails when it does not load (nothing to fall back on). */
  public synchronized void loadInitial() throws InvalidDefinitionsException {
    lastModified = modified();
    users = readUsers();
    apply(loader.load(file));
  }

  /** Loads and applies the file again; a file that does not load is logged and ignored. */
  public synchronized boolean reload() {
    lastModified = modified();
    FunctionDefinitions loaded;
    try {
      loaded = loader.load(file);
    } catch (InvalidDefinitionsException e) {
      log.error("Keeping the previous definitions: {}", e.getMessage());
      return false;
    }
    log.info("Reloading definitions from {}", file);
    apply(loaded);
    return true;
  }

  private void apply(FunctionDefinitions loaded) {
    var ready = new LinkedHashMap<String, FunctionDefinition>();
    var failures = new LinkedHashMap<String, String>();
    for (var def : loaded.functions()) {
      var build = images.prepare(def);
      switch (build) {
        case ImageBuild.Failed failed -> {
          failures.put(def.name(), failed.describe());
          // A broken new version must not take down the version that runs.
          functions
              .find(def.name())
              .ifPresent(
                  previous -> {
                    log.warn("[{}] keeping version {} running", def.name(), previous.version());
                    ready.put(def.name(), previous);
                  });
        }
        case ImageBuild.Built b -> ready.put(def.name(), def);
        case ImageBuild.Unchanged u -> ready.put(def.name(), def);
        case ImageBuild.Prebuilt p -> ready.put(def.name(), def);
      }
    }
    fileReady = new LinkedHashMap<>(ready);
    fileFailures = Map.copyOf(failures);
    var published = publish();
    failures.forEach(
        (name, reason) ->
            registry.publish(
                new InstanceEvent(InstanceEvent.Type.FAILED, name, "", reason, clock.millis())));
    log.info("Functions ready: {}; failed: {}", published.keySet(), failures.keySet());
    if (pruneImages) {
      try {
        images.prune(published.values());
      } catch (RuntimeException e) {
        log.warn("Pruning images failed: {}", e.toString());
      }
    }
    onApplied.run();
  }

  /**
   * Re-reads the user functions and publishes them with the file's when they changed; true when
   * they did. Called on the api-server's announcement and on every poll.
   */
  public synchronized boolean refreshUserFunctions() {
    if (userFunctions == null) {
      return false;
    }
    var next = readUsers();
    if (next.equals(users)) {
      return false;
    }
    var added = new ArrayList<>(next.keySet());
    added.removeAll(users.keySet());
    var removed = new ArrayList<>(users.keySet());
    removed.removeAll(next.keySet());
    users = next;
    publish();
    log.info("User functions changed: added or updated {}, removed {}", added, removed);
    onApplied.run();
    return true;
  }

  private Map<String, FunctionDefinition> readUsers() {
    if (userFunctions == null) {
      return Map.of();
    }
    try {
      return Map.copyOf(userFunctions.read());
    } catch (RuntimeException e) {
      log.warn("Reading user functions failed, keeping the previous ones: {}", e.toString());
      return users;
    }
  }

  /** Makes the file's functions and then the users' the runnable and published set. */
  private LinkedHashMap<String, FunctionDefinition> publish() {
    var ready = new LinkedHashMap<String, FunctionDefinition>(fileReady);
    users.forEach(ready::putIfAbsent);
    functions.replace(ready, fileFailures);
    catalog.publish(new FunctionDefinitions(new ArrayList<>(ready.values())), clock.millis());
    return ready;
  }

  /** Polls the file's modification time and listens for SIGHUP; either reloads. */
  public void watch(Duration pollInterval) {
    watcher =
        Thread.ofPlatform()
            .daemon()
            .name("stoke-definitions-watch")
            .start(() -> poll(pollInterval));
    try {
      sun.misc.Signal.handle(
          new sun.misc.Signal("HUP"), signal -> Thread.ofVirtual().start(this::reload));
    } catch (IllegalArgumentException e) {
      log.warn("SIGHUP reload unavailable on this platform: {}", e.getMessage());
    }
  }

  private void poll(Duration interval) {
    while (!closed) {
      try {
        Thread.sleep(interval.toMillis());
        if (!Objects.equals(modified(), lastModified)) {
          reload();
        }
        refreshUserFunctions();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.error("Reloading definitions failed", e);
      }
    }
  }

  private FileTime modified() {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public void close() {
    closed = true;
    var thread = watcher;
    if (thread != null) {
      thread.interrupt();
    }
  }
}
