package io.stoke.common.definition;

import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * A resolver with YAML 1.2's booleans only: {@code yes}, {@code no}, {@code on} and {@code off}
 * stay the text the user wrote, so {@code auth: yes} is reported as {@code yes}, not as {@code
 * true}.
 */
final class Yaml12Booleans extends Resolver {

  private static final Pattern YAML11_ONLY_BOOLEANS =
      Pattern.compile("^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N)$");

  @Override
  public Tag resolve(NodeId kind, String value, boolean implicit) {
    if (kind == NodeId.scalar && implicit && YAML11_ONLY_BOOLEANS.matcher(value).matches()) {
      return Tag.STR;
    }
    return super.resolve(kind, value, implicit);
  }
}
