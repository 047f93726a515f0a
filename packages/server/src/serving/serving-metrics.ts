import type { ModelServer, MonitorService } from '@cairn/core';
import { Counter, Gauge, type Registry } from 'prom-client';

const DRIFT_REFRESH_MS = 60_000;

/**
 * The model server's own metrics, read when scraped: the version served, alias swaps and failed
 * loads, Python worker restarts, the inference log's backlog, written and lost rows, and the drift
 * of the latest monitoring run (`cairn_monitor_drift{feature,statistic}`, refreshed each minute).
 */
export function installServingMetrics(registry: Registry, server: ModelServer, monitoring: MonitorService): void {
  const registers = [registry];
  new Gauge({
    name: 'cairn_model_version_served', help: 'The version answering requests.', labelNames: ['model', 'alias', 'format'], registers,
    collect() {
      this.reset();
      const m = server.info;
      this.set({ model: m.name, alias: m.alias ?? '', format: m.format }, m.version);
    },
  });
  new Gauge({ name: 'cairn_model_load_failing', help: '1 while the newest version of a followed alias fails to load (the previous one keeps serving).', registers, collect() { this.set(server.health().lastError ? 1 : 0); } });
  const deltas = (name: string, help: string, read: () => number) => {
    let seen = 0;
    new Counter({ name, help, registers, collect() {
      const now = read();
      if (now > seen) this.inc(now - seen);
      seen = now;
    } });
  };
  deltas('cairn_model_swaps_total', 'Times a moved alias was swapped in.', () => server.health().swaps);
  deltas('cairn_python_worker_restarts_total', 'Python worker restarts after a crash or a hang.', () => server.health().pythonRestarts);
  deltas('cairn_inference_log_rows_written_total', 'Scored rows written to the inference log.', () => server.health().inferenceLog?.written ?? 0);
  deltas('cairn_inference_log_rows_lost_total', 'Scored rows the inference log could not keep (write failures, a full buffer).', () => server.health().inferenceLog?.lost ?? 0);
  deltas('cairn_inference_log_rows_recovered_total', 'Scored rows of killed serving processes written from the spool.', () => server.health().inferenceLog?.recovered ?? 0);
  new Gauge({ name: 'cairn_inference_log_spool_failing', help: '1 while the inference log spool cannot be written (rows would not survive a kill).', registers, collect() { this.set(server.health().inferenceLog?.spoolError ? 1 : 0); } });
  new Gauge({ name: 'cairn_inference_log_backlog_rows', help: 'Scored rows waiting to be written to the inference log.', registers, collect() { this.set(server.health().inferenceLog?.backlog ?? 0); } });

  let cached: { at: number; rows: Array<{ feature: string; statistic: string; value: number }> } | null = null;
  new Gauge({
    name: 'cairn_monitor_drift', help: 'Drift statistics of the latest monitoring run of this model (cairn monitor run).', labelNames: ['model', 'feature', 'statistic'], registers,
    async collect() {
      if (!cached || Date.now() - cached.at > DRIFT_REFRESH_MS) {
        const report = await monitoring.latest(server.info.name).catch(() => null);
        const rows: Array<{ feature: string; statistic: string; value: number }> = [];
        for (const f of report?.features ?? []) {
          for (const [statistic, value] of [['psi', f.psi], ['ks', f.ks], ['js', f.js], ['chi2_p', f.chiSquareP]] as const) if (value !== null) rows.push({ feature: f.feature, statistic, value });
        }
        if (report?.prediction) rows.push({ feature: '(prediction)', statistic: 'psi', value: report.prediction.psi });
        cached = { at: Date.now(), rows };
      }
      this.reset();
      for (const r of cached.rows) this.set({ model: server.info.name, feature: r.feature, statistic: r.statistic }, r.value);
    },
  });
}
