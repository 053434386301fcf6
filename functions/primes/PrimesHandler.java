import io.stoke.runtime.Handler;
import io.stoke.runtime.Json;
import io.stoke.runtime.Request;
import io.stoke.runtime.Response;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

/** primes: counts the primes up to ?n= (default 100000, at most 50000000), a CPU-bound load. */
public final class PrimesHandler implements Handler {

  static final int DEFAULT_N = 100_000;
  static final int MAX_N = 50_000_000;

  @Override
  public Response handle(Request request) {
    int n;
    try {
      n = request.query("n").map(Integer::parseInt).orElse(DEFAULT_N);
    } catch (NumberFormatException e) {
      return Response.json(400, "{\"error\":\"n must be an integer\",\"status\":400}");
    }
    n = Math.max(0, Math.min(n, MAX_N));
    long started = System.nanoTime();
    int count = countPrimes(n);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("n", n);
    result.put("primes", count);
    result.put("elapsed_ms", (System.nanoTime() - started) / 1_000_000);
    return Response.json(Json.stringify(result));
  }

  /** The number of primes p <= n, by the sieve of Eratosthenes. */
  static int countPrimes(int n) {
    if (n < 2) {
      return 0;
    }
    BitSet composite = new BitSet(n + 1);
    for (long i = 2; i * i <= n; i++) {
      if (!composite.get((int) i)) {
        for (long j = i * i; j <= n; j += i) {
          composite.set((int) j);
        }
      }
    }
    return n - 1 - composite.cardinality();
  }
}
