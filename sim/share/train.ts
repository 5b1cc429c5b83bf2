// The related parties' training of an answer (seed 001 (PoQ) §III-C step 5, §III-D): the
// super node's Trainer port, run by the existing federated runner (sim/run.ts runFederated) on
// emulated boards executing the real firmware, over the embedded broker, with the PoQ engine
// (each party reports the MAE of its model, Eq. 6–7; the leader's block needs every party's
// approval). Each provider trains on its own shard only. With ε > 0, every update is
// privatised on the board (Eq. 4, the firmware's discrete Laplace sampler; Eq. 5's
// sensitivity 2C by L1 clipping to C), ε/R per round, so the R rounds spend ε by basic
// composition. Each job's rounds are recorded on their own task chain under the data dir.
import { join } from 'node:path';
import { runFederated } from '../run.js';
import { spamDataset } from '../../boards/data/spam.js';
import type { Trainer, TrainJob, TrainResult } from '../../gateway/share/super-node.js';
import type { ShareNetwork } from './network.js';

export interface TrainSettings {
  rounds: number; epochs: number; lr: number; batch: number;
  arch: 'logreg' | 'mlp'; hidden: number;
  /** L1 clip C of a round's update, master units (Eq. 5: sensitivity 2C); the default is about
   *  one provider's 4-epoch update (≈ 2·10^7 measured), so clipping alone costs little. */
  clipL1: number;
  seed: number;
}

/** 2 rounds of 4 epochs (lr 1, batch 32) of an MLP(16) head (docs/data-sharing.md "Choices"). */
export const TRAIN_DEFAULTS: TrainSettings = { rounds: 2, epochs: 4, lr: 1, batch: 32, arch: 'mlp', hidden: 16, clipL1: 16_000_000, seed: 1 };

/** The gateways' check set: 200 provider-side mails no provider of the job needs to reveal
 *  (a public sample of the training portion, never the requester's queries). */
const CHECK_ROWS = 200;

/** A Trainer over the network's emulated boards. */
export function fleetTrainer(net: ShareNetwork, dataDir: string, s: TrainSettings = TRAIN_DEFAULTS): Trainer {
  let jobs = 0;
  return {
    async train(job: TrainJob): Promise<TrainResult> {
      const shards = job.providers.map((p) => spamDataset(net.corpus, net.shards.get(p)!));
      const check = spamDataset(net.corpus, net.corpus.train.slice(0, CHECK_ROWS));
      const perRound = job.epsilon > 0 ? Math.floor(job.epsilon / s.rounds) : 0;
      if (job.epsilon > 0 && perRound < 1) throw new RangeError(`ε ${job.epsilon / 1000} is too small for ${s.rounds} rounds`);
      let consensusMs = 0;
      let model: Uint8Array | undefined;
      const t0 = Date.now();
      const r = await runFederated({
        devices: job.providers.length, ids: job.providers, rounds: s.rounds, alpha: 0, seed: s.seed, epochs: s.epochs, roundTimeoutMs: 5_000,
        dataDir: join(dataDir, 'jobs', `${job.key.slice(0, 16)}-${process.pid}-${++jobs}-${Date.now()}`), task: `share-${job.key.slice(0, 12)}`,
        consensus: 'poq', lr: s.lr, batch: s.batch, model: { arch: s.arch, hidden: s.hidden },
        dp: perRound > 0 ? { epsilon: perRound / 1000, clipL1: s.clipL1 } : undefined,
        data: { shards, test: check, profile: { categories: ['share'], types: ['text/mail'] } },
      }, { onRound: (sm, _n, m) => { consensusMs += sm.consensusMs; model = m; } });
      if (!model) throw new Error('the training job produced no global model');
      const rounds = r.summaries.length;
      return { model, rounds, epsilon: job.providers.map(() => perRound * rounds), trainingMs: Date.now() - t0, consensusMs, jobVerified: r.ledger_verified, jobDir: r.data_dir };
    },
  };
}
