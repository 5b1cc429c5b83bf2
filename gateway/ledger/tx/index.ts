// Transaction constructors: each signs its body with the author's key.
import type { Signer } from '../signer.js';
import type { Tx } from './kind.js';
import { makeTx } from './envelope.js';
import { registrationKind, type RegistrationBody } from './registration.js';
import { updateRecordKind, type UpdateRecordBody } from './update-record.js';
import { globalModelKind, type GlobalModelBody } from './global-model.js';
import { dataRequestKind, type DataRequestBody } from './data-request.js';
import { dataEventKind, type DataEventBody } from './data-event.js';
import { dataProfileKind, type DataProfileBody } from './data-profile.js';
import { modelTxKind, type ModelTxBody } from './model-tx.js';
import { taskPublishKind, type TaskPublishBody } from './task-publish.js';
import { bidKind, type BidBody } from './bid.js';
import { rewardKind, type RewardBody } from './reward.js';
import { penaltyKind, type PenaltyBody } from './penalty.js';
import { slashKind, type SlashBody } from './slash.js';
import { reputationKind, type ReputationBody } from './reputation.js';
import { blacklistKind, type BlacklistBody } from './blacklist.js';
import { selectKind, type SelectBody } from './select.js';
import { refundKind, type RefundBody } from './refund.js';
import { payoutKind, type PayoutBody } from './payout.js';
import { taskCloseKind, type TaskCloseBody } from './task-close.js';
import { contributionKind, type ContributionBody } from './contribution.js';
import { permissionFeeKind, type PermissionFeeBody } from './permission-fee.js';

export type { Tx, ApplyCtx, TxKind } from './kind.js';
export type {
  RegistrationBody, UpdateRecordBody, GlobalModelBody, DataRequestBody, DataEventBody, ModelTxBody,
  TaskPublishBody, BidBody, RewardBody, PenaltyBody, SlashBody, ReputationBody, BlacklistBody,
  SelectBody, RefundBody, PayoutBody, TaskCloseBody, ContributionBody, PermissionFeeBody, DataProfileBody,
};
export type { PhiEntry } from './contribution.js';
export { payoutParts, type PayoutShare } from './payout.js';

/** Manager-admitted device registration (001 retrieval record). Throws LedgerError('malformed').
 *  @example registrationTx(gw, { id: 'b1', publicKey, profile: { categories: ['mnist'], types: ['image'], size: 600 } }) */
export const registrationTx = (manager: Signer, device: RegistrationBody): Tx<RegistrationBody> => makeTx(registrationKind, manager, device);
/** Update record by the gateway that received the device's envelope (002 update block). */
export const updateRecordTx = (author: Signer, rec: UpdateRecordBody): Tx<UpdateRecordBody> => makeTx(updateRecordKind, author, rec);
/** Global-model record for a round (002 model block). */
export const globalModelTx = (author: Signer, rec: GlobalModelBody): Tx<GlobalModelBody> => makeTx(globalModelKind, author, rec);
/** Data-sharing request signed by the requester (001). */
export const dataRequestTx = (requester: Signer, req: DataRequestBody): Tx<DataRequestBody> => makeTx(dataRequestKind, requester, req);
/** Data-sharing event that served a request (001). */
export const dataEventTx = (manager: Signer, ev: DataEventBody): Tx<DataEventBody> => makeTx(dataEventKind, manager, ev);
/** A provider's data profile (001 retrieval record: categories, key-term hashes, data ID, ε budget). */
export const dataProfileTx = (provider: Signer, p: DataProfileBody): Tx<DataProfileBody> => makeTx(dataProfileKind, provider, p);
/** Model transaction, 001 Table I; the owner signs. */
export const modelTx = (owner: Signer, rec: ModelTxBody): Tx<ModelTxBody> => makeTx(modelTxKind, owner, rec);
/** Task publication with deposit (004). */
export const taskPublishTx = (publisher: Signer, t: TaskPublishBody): Tx<TaskPublishBody> => makeTx(taskPublishKind, publisher, t);
/** Bid with stake (004). */
export const bidTx = (bidder: Signer, b: BidBody): Tx<BidBody> => makeTx(bidKind, bidder, b);
/** Reward from a task pool. */
export const rewardTx = (manager: Signer, r: RewardBody): Tx<RewardBody> => makeTx(rewardKind, manager, r);
/** Penalty on a balance. */
export const penaltyTx = (manager: Signer, p: PenaltyBody): Tx<PenaltyBody> => makeTx(penaltyKind, manager, p);
/** Slashing of a bid stake. */
export const slashTx = (manager: Signer, s: SlashBody): Tx<SlashBody> => makeTx(slashKind, manager, s);
/** Reputation delta. */
export const reputationTx = (manager: Signer, r: ReputationBody): Tx<ReputationBody> => makeTx(reputationKind, manager, r);
/** Blacklisting or revocation of a device key. */
export const blacklistTx = (manager: Signer, b: BlacklistBody): Tx<BlacklistBody> => makeTx(blacklistKind, manager, b);
/** Winner selection closing a task's bidding; `winners` must equal selectWinners over the bids (004). */
export const selectTx = (manager: Signer, b: SelectBody): Tx<SelectBody> => makeTx(selectKind, manager, b);
/** Return of a winner's remaining stake (004 step 7). */
export const refundTx = (manager: Signer, b: RefundBody): Tx<RefundBody> => makeTx(refundKind, manager, b);
/** A round's payout split between the miner and the winners by data size × score. */
export const payoutTx = (manager: Signer, b: PayoutBody): Tx<PayoutBody> => makeTx(payoutKind, manager, b);
/** Closing a task: the rest of its pool returns to the publisher. */
export const taskCloseTx = (manager: Signer, b: TaskCloseBody): Tx<TaskCloseBody> => makeTx(taskCloseKind, manager, b);
/** A round's 003 contribution record and Eq. 3 payout (Shapley values, reputation, fees). */
export const contributionTx = (manager: Signer, b: ContributionBody): Tx<ContributionBody> => makeTx(contributionKind, manager, b);
/** A device's 002 permission fee into a task's pool. */
export const permissionFeeTx = (device: Signer, b: PermissionFeeBody): Tx<PermissionFeeBody> => makeTx(permissionFeeKind, device, b);
