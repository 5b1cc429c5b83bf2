// `npm start -- --dashboard [PORT]`: the demo's run hooks that serve gateway 0's dashboard
// (gateway/dashboard/server.ts) over its ledger and publish each finished round to it.
import type { RunHooks } from './run.js';
import { startDashboard, type Dashboard, type DashboardOptions } from '../gateway/dashboard/server.js';
import type { RoundSummary } from '../gateway/round/summary.js';
import type { InferenceOptions } from '../gateway/dashboard/inference.js';
import { BftFinality } from '../gateway/finality/bft.js';
import { clusterView } from '../gateway/finality/view.js';
import { gatewayId } from '../gateway/cluster/setup.js';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/** tfjs-tflite and the tfjs-core it was built against (exactly 4.9.0) are installed by the
 *  `test/browser` workspace of the repo (npm ci installs it); undefined when they are absent,
 *  and the page then hides its inference panel. */
export function tflitePackages(): Record<string, string> | undefined {
  const root = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');
  try {
    const req = createRequire(join(root, 'test', 'browser', 'package.json'));
    return Object.fromEntries([['tfjs-core', '@tensorflow/tfjs-core'], ['tfjs-backend-cpu', '@tensorflow/tfjs-backend-cpu'], ['tfjs-tflite', '@tensorflow/tfjs-tflite']]
      .map(([k, pkg]) => [k, dirname(req.resolve(`${pkg}/package.json`))]));
  } catch { return undefined; }
}

export interface DashboardRun {
  /** The run's hooks with the dashboard added (the given hooks still run). */
  hooks: RunHooks;
  /** Resolves once the dashboard is listening (rejects if the port is taken). */
  ready: Promise<Dashboard>;
}

/** Adds the dashboard to `hooks`. `hold` is awaited after the last round, while the ledger is
 *  still open, so the page keeps serving the finished run (the demo: until Ctrl-C). */
export function withDashboard(hooks: RunHooks, o: Pick<DashboardOptions, 'host' | 'port' | 'limits'> & { hold?: (d: Dashboard) => Promise<void>; digits?: InferenceOptions['digits'] } = {}): DashboardRun {
  let model: Uint8Array | undefined;
  const packages = o.digits ? tflitePackages() : undefined;
  const inference: InferenceOptions | undefined = packages ? { packages, digits: o.digits, model: () => model } : undefined;
  let devices: string[] = [];
  let ok!: (d: Dashboard) => void, fail!: (e: unknown) => void;
  const ready = new Promise<Dashboard>((a, b) => { ok = a; fail = b; });
  ready.catch(() => {}); // observed by the caller
  let dash: Dashboard | undefined;
  const early: RoundSummary[] = [];
  return {
    ready,
    hooks: {
      ...hooks,
      beforeRounds: async (ctx) => { devices = ctx.agents.map((a) => a.id); await hooks.beforeRounds?.(ctx); },
      onGateways: (gws) => {
        hooks.onGateways?.(gws);
        const bft = gws.finalities[0] instanceof BftFinality ? gws.finalities[0] : undefined;
        const ids = gws.ledgers.map((_, g) => gatewayId(g));
        // in-process, every gateway's head is known exactly (across boxes the view infers them from votes)
        const cluster = bft && (() => clusterView(ids[0], bft, gws.ledgers[0], new Map(gws.ledgers.map((l, g) => [ids[g], { height: l.height, hash: l.headHash() }]))));
        startDashboard({ host: o.host, port: o.port, limits: o.limits, inference, ledger: gws.ledgers[0], devices, offline: () => gws.drivers[0].state().offline, cluster })
          .then((d) => { dash = d; for (const s of early.splice(0)) d.round(s); ok(d); }, fail);
      },
      onRound: (s, total, m) => {
        hooks.onRound?.(s, total, m);
        model = m;
        if (dash) dash.round(s); else early.push(s);
      },
      afterRounds: async () => {
        await hooks.afterRounds?.();
        const d = await ready.catch(() => undefined);
        try { if (d && o.hold) await o.hold(d); } finally { await d?.close(); }
      },
    },
  };
}
