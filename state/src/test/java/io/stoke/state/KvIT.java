package io.stoke.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.common.testing.RedisServer;
import io.stoke.state.support.StateClient;
import io.stoke.state.support.StateProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every key-value operation and error, against a real redis-server over real HTTP. */
class KvIT {

  private static RedisServer redis;
  private static StateProcess state;
  private static StateClient client;

  @BeforeAll
  static void start() {
    redis = RedisServer.start();
    state =
        StateProcess.start(
            redis.url(),
            0,
            "--stoke.state.limits.max-key-bytes=16",
            "--stoke.state.limits.max-value-bytes=64",
            "--stoke.state.limits.max-keys-per-function=3",
            "--stoke.state.limits.max-body-bytes=2048");
    client = state.client();
  }

  @AfterAll
  static void stop() {
    state.close();
    redis.close();
  }

  @Test
  void putThenGetReturnsTheValueWithAVersionThatGrowsAtEveryWrite() throws Exception {
    var first = client.call("kv-a", "kv/put", Map.of("key", "k", "value", "one"));
    var second = client.call("kv-a", "kv/put", Map.of("key", "k", "value", "two"));
    var read = client.call("kv-a", "kv/get", Map.of("key", "k"));
    assertThat(first.status()).isEqualTo(200);
    assertThat(second.number("version")).isGreaterThan(first.number("version"));
    assertThat(read.get("value")).isEqualTo("two");
    assertThat(read.number("version")).isEqualTo(second.number("version"));
    assertThat(read.number("ttlMs")).isEqualTo(-1);
  }

  @Test
  void aMissingKeyIsNoKey404() throws Exception {
    var reply = client.call("kv-b", "kv/get", Map.of("key", "absent"));
    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.error()).isEqualTo("NoKey");
  }

  @Test
  void casSucceedsOnlyOnTheCurrentVersionAndZeroMeansAbsent() throws Exception {
    var created = client.call("kv-c", "kv/cas", Map.of("key", "k", "value", "1", "ifVersion", 0));
    var again = client.call("kv-c", "kv/cas", Map.of("key", "k", "value", "x", "ifVersion", 0));
    long version = created.number("version");
    var stale =
        client.call("kv-c", "kv/cas", Map.of("key", "k", "value", "x", "ifVersion", version + 1));
    var good =
        client.call("kv-c", "kv/cas", Map.of("key", "k", "value", "2", "ifVersion", version));
    assertThat(created.status()).isEqualTo(200);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.error()).isEqualTo("BadVersion");
    assertThat(again.number("version")).isEqualTo(version);
    assertThat(stale.error()).isEqualTo("BadVersion");
    assertThat(good.status()).isEqualTo(200);
    assertThat(client.call("kv-c", "kv/get", Map.of("key", "k")).get("value")).isEqualTo("2");
  }

  @Test
  void casWithoutAVersionIsABadRequestNamingTheField() throws Exception {
    var reply = client.call("kv-c", "kv/cas", Map.of("key", "k", "value", "1"));
    assertThat(reply.status()).isEqualTo(400);
    assertThat((String) reply.get("message")).contains("ifVersion");
  }

  @Test
  void versionsKeepGrowingAcrossDeleteAndRecreate() throws Exception {
    long before = client.call("kv-d", "kv/put", Map.of("key", "k", "value", "a")).number("version");
    assertThat(client.call("kv-d", "kv/delete", Map.of("key", "k")).status()).isEqualTo(200);
    var recreated = client.call("kv-d", "kv/put", Map.of("key", "k", "value", "b"));
    assertThat(recreated.number("version")).isGreaterThan(before);
    var stale =
        client.call("kv-d", "kv/cas", Map.of("key", "k", "value", "c", "ifVersion", before));
    assertThat(stale.error()).isEqualTo("BadVersion");
  }

  @Test
  void deleteWithAStaleVersionIsRefusedAndAMissingKeyIsNoKey() throws Exception {
    long version =
        client.call("kv-e", "kv/put", Map.of("key", "k", "value", "a")).number("version");
    var stale = client.call("kv-e", "kv/delete", Map.of("key", "k", "ifVersion", version + 7));
    assertThat(stale.status()).isEqualTo(409);
    assertThat(client.call("kv-e", "kv/delete", Map.of("key", "k", "ifVersion", version)).status())
        .isEqualTo(200);
    assertThat(client.call("kv-e", "kv/delete", Map.of("key", "k")).error()).isEqualTo("NoKey");
  }

  @Test
  void incrementStartsFromZeroAddsDeltasAndRefusesText() throws Exception {
    assertThat(client.call("kv-f", "kv/incr", Map.of("key", "n")).get("value")).isEqualTo("1");
    assertThat(client.call("kv-f", "kv/incr", Map.of("key", "n", "delta", 41)).get("value"))
        .isEqualTo("42");
    assertThat(client.call("kv-f", "kv/incr", Map.of("key", "n", "delta", -50)).get("value"))
        .isEqualTo("-8");
    client.call("kv-f", "kv/put", Map.of("key", "t", "value", "hello"));
    var text = client.call("kv-f", "kv/incr", Map.of("key", "t"));
    assertThat(text.status()).isEqualTo(409);
    assertThat(text.error()).isEqualTo("NotAnInteger");
  }

  @Test
  void aValueWithATtlDisappearsAfterIt() throws Exception {
    client.call("kv-g", "kv/put", Map.of("key", "k", "value", "v", "ttlMs", 300));
    assertThat(client.call("kv-g", "kv/get", Map.of("key", "k")).number("ttlMs")).isPositive();
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> client.call("kv-g", "kv/get", Map.of("key", "k")).status() == 404);
    assertThat(client.call("kv-g", "kv/list", Map.of()).get("items")).isEqualTo(List.of());
  }

  @Test
  void listReturnsKeysOfAPrefixInOrderAPageAtATime() throws Exception {
    for (var key : List.of("b/2", "a/1", "b/1")) {
      client.call("kv-h", "kv/put", Map.of("key", key, "value", key));
    }
    var page = client.call("kv-h", "kv/list", Map.of("prefix", "b/", "limit", 1));
    assertThat(page.get("items").toString()).contains("b/1").doesNotContain("b/2");
    var rest = client.call("kv-h", "kv/list", Map.of("prefix", "b/", "after", page.get("next")));
    assertThat(rest.get("items").toString()).contains("b/2").doesNotContain("a/1");
    assertThat(rest.get("next")).isEqualTo("");
  }

  @Test
  void limitsAreEnforcedWithAnErrorNamingThem() throws Exception {
    var longKey = client.call("kv-i", "kv/put", Map.of("key", "k".repeat(17), "value", "v"));
    assertThat(longKey.status()).isEqualTo(400);
    assertThat(longKey.get("limit")).isEqualTo("max-key-bytes");
    var bigValue = client.call("kv-i", "kv/put", Map.of("key", "k", "value", "v".repeat(65)));
    assertThat(bigValue.status()).isEqualTo(413);
    assertThat(bigValue.get("limit")).isEqualTo("max-value-bytes");
    var bigBody = client.call("kv-i", "kv/put", Map.of("key", "k", "value", "v".repeat(3000)));
    assertThat(bigBody.status()).isEqualTo(413);
    assertThat(bigBody.get("limit")).isEqualTo("max-body-bytes");
    for (var key : List.of("1", "2", "3")) {
      assertThat(client.call("kv-i", "kv/put", Map.of("key", key, "value", "v")).status())
          .isEqualTo(200);
    }
    var fourth = client.call("kv-i", "kv/put", Map.of("key", "4", "value", "v"));
    assertThat(fourth.status()).isEqualTo(400);
    assertThat(fourth.get("limit")).isEqualTo("max-keys-per-function");
    assertThat(client.call("kv-i", "kv/put", Map.of("key", "3", "value", "w")).status())
        .isEqualTo(200);
  }

  @Test
  void functionsDoNotSeeEachOthersKeys() throws Exception {
    client.call("kv-j", "kv/put", Map.of("key", "secret", "value", "j"));
    assertThat(client.call("kv-k", "kv/get", Map.of("key", "secret")).status()).isEqualTo(404);
    assertThat(client.call("kv-k", "kv/list", Map.of()).get("items")).isEqualTo(List.of());
  }

  @Test
  void badRequestsGetAJsonErrorWithTheRightStatus() throws Exception {
    assertThat(client.raw("/v1/functions/kv-l/kv/get", "not json").status()).isEqualTo(400);
    assertThat(client.raw("/v1/functions/kv-l/kv/get", "[1,2]").status()).isEqualTo(400);
    assertThat(client.raw("/v1/functions/kv-l/kv/get", "{\"key\":3}").status()).isEqualTo(400);
    assertThat(client.raw("/v1/functions/kv-l/kv/nope", "{}").status()).isEqualTo(404);
    assertThat(client.raw("/v1/functions/Bad_Name/kv/get", "{\"key\":\"k\"}").status())
        .isEqualTo(400);
    assertThat(client.raw("/elsewhere", "{}").error()).isEqualTo("NotFound");
    var ttl = client.call("kv-l", "kv/put", Map.of("key", "k", "value", "v", "ttlMs", -5));
    assertThat(ttl.status()).isEqualTo(400);
    assertThat((String) ttl.get("message")).contains("ttlMs");
  }
}
