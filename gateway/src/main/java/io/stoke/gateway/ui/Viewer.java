package io.stoke.gateway.ui;

import io.stoke.common.definition.FunctionDefinition;

/** Who looks at the dashboard: the operator sees every function, a user only their own. */
sealed interface Viewer {

  /** The name the viewer knows {@code internal} by, or null when it is not theirs to see. */
  String visibleName(String internal);

  /** The internal name of the viewer's function {@code shown}. */
  String internalName(String shown);

  /** Holder of the gateway's metrics token. */
  record Operator() implements Viewer {
    @Override
    public String visibleName(String internal) {
      return internal;
    }

    @Override
    public String internalName(String shown) {
      return shown;
    }
  }

  /** A user, authenticated by an API key: sees {@code u-<user>-<name>} as {@code name}. */
  record User(String user) implements Viewer {
    @Override
    public String visibleName(String internal) {
      var prefix = FunctionDefinition.USER_PREFIX + user + "-";
      return internal.startsWith(prefix) ? internal.substring(prefix.length()) : null;
    }

    @Override
    public String internalName(String shown) {
      return FunctionDefinition.USER_PREFIX + user + "-" + shown;
    }
  }
}
