// Round consensus engines by name (docs/consensus.md). A task picks one when it is published.
export * from './engine.js';
export { fedavgEngine } from './accept-all.js';
export { committeeEngine, committeeScore, signScoreSheet, scoreSheetBytes, checkSheets, encodeSheets, decodeSheets, type ScoreSheet, type CommitteeConfig } from './committee.js';
export { electCommittee, type ElectionMethod } from './election.js';
export { attackProbability, attackProbabilityShares } from './attack.js';
export { poqEngine, signReport, poqLeader, maeU, blockDigest, auditWithin, type PoqEvidence, type QualityReport, type PoqApproval, type PoqConfig } from './poq.js';
export { powEngine, mine, checkWork, workPrefix, type PowEvidence, type PowConfig } from './pow.js';
export { chooseBranch, reputationByBlocks, reputationByStake, producedCounts, type ForkRule, type Branch } from './fork.js';
