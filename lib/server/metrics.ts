/**
 * The server's counters in Prometheus text format (exposition 0.0.4): requests by route and
 * status, errors, a latency histogram, in-flight requests, reloads and the index version.
 * @module
 */

/** Upper bounds of the latency histogram, seconds. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/** Counters of one server (no global registry: each server owns its metrics). */
export class ServerMetrics {
  private requests = new Map<string, number>();
  private buckets = new Float64Array(LATENCY_BUCKETS.length);
  private latencySum = 0;
  private latencyCount = 0;
  /** Responses with status ≥ 500 (the server's fault). */
  serverErrors = 0;
  /** Responses with status 4xx (the request's fault). */
  clientErrors = 0;
  /** Responses 503 (over the concurrency cap, or shutting down). */
  rejected = 0;

  /** Count one finished request. */
  observe(route: string, method: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    if (status >= 500) this.serverErrors++;
    else if (status >= 400) this.clientErrors++;
    if (status === 503) this.rejected++;
    for (let b = 0; b < LATENCY_BUCKETS.length; b++) if (seconds <= LATENCY_BUCKETS[b]) this.buckets[b]++;
    this.latencySum += seconds;
    this.latencyCount++;
  }

  /** The exposition text. */
  render(state: { indexVersion: string; inFlight: number; reloads: number; reloadErrors: number }): string {
    const lines: string[] = [];
    const label = (v: string) => v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
    lines.push("# HELP setsim_requests_total Requests answered, by method, route and status.");
    lines.push("# TYPE setsim_requests_total counter");
    for (const [key, count] of [...this.requests].sort()) {
      const [method, route, status] = key.split(" ");
      lines.push(
        `setsim_requests_total{method="${method}",route="${label(route)}",status="${status}"} ${count}`,
      );
    }
    lines.push("# HELP setsim_errors_total Error responses (class 4xx: bad requests, 5xx: the server).");
    lines.push("# TYPE setsim_errors_total counter");
    lines.push(`setsim_errors_total{class="4xx"} ${this.clientErrors}`);
    lines.push(`setsim_errors_total{class="5xx"} ${this.serverErrors}`);
    lines.push("# HELP setsim_request_duration_seconds Request latency.");
    lines.push("# TYPE setsim_request_duration_seconds histogram");
    LATENCY_BUCKETS.forEach((bound, b) =>
      lines.push(`setsim_request_duration_seconds_bucket{le="${bound}"} ${this.buckets[b]}`)
    );
    lines.push(`setsim_request_duration_seconds_bucket{le="+Inf"} ${this.latencyCount}`);
    lines.push(`setsim_request_duration_seconds_sum ${this.latencySum}`);
    lines.push(`setsim_request_duration_seconds_count ${this.latencyCount}`);
    lines.push("# HELP setsim_requests_in_flight Requests being answered now.");
    lines.push("# TYPE setsim_requests_in_flight gauge");
    lines.push(`setsim_requests_in_flight ${state.inFlight}`);
    lines.push("# HELP setsim_index_reloads_total Switches to a newly committed index version.");
    lines.push("# TYPE setsim_index_reloads_total counter");
    lines.push(`setsim_index_reloads_total ${state.reloads}`);
    lines.push("# HELP setsim_index_reload_errors_total Reloads that failed (the old version kept serving).");
    lines.push("# TYPE setsim_index_reload_errors_total counter");
    lines.push(`setsim_index_reload_errors_total ${state.reloadErrors}`);
    lines.push("# HELP setsim_index_info The index version being served (value 1).");
    lines.push("# TYPE setsim_index_info gauge");
    lines.push(`setsim_index_info{version="${label(state.indexVersion)}"} 1`);
    return lines.join("\n") + "\n";
  }
}
