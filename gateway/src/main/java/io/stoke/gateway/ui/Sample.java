package io.stoke.gateway.ui;

import java.util.Map;

/**
 * One second of one function as the dashboard charts it.
 *
 * @param at epoch milliseconds
 * @param rps requests answered per second over the last sample interval
 * @param errorsPerSecond of those, 5xx answers
 * @param p50Ms median latency over the last {@link FunctionSeries#PERCENTILE_WINDOW} samples, null
 *     when there was no request
 * @param p99Ms 99th percentile, likewise
 * @param instances the registry's instances by lower-case state
 * @param pending requests held for a cold start or a free slot (the queue)
 * @param inflight requests in flight to instances
 * @param requests requests answered since the gateway started
 * @param errors 5xx answers since the gateway started
 * @param coldStarts cold starts since the gateway started
 */
record Sample(
    long at,
    double rps,
    double errorsPerSecond,
    Double p50Ms,
    Double p99Ms,
    Map<String, Integer> instances,
    int pending,
    int inflight,
    long requests,
    long errors,
    long coldStarts) {}
