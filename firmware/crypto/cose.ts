// COSE_Sign1 with EdDSA, made on the device (RFC 9052 §4.2–4.4, RFC 9053 §2.2).
// Two ways: coseSignUpdate writes the whole message (the record carries the model); coseSignModel
// signs the kernel's model without a copy of it, and coseReadUpdate then writes any byte range of
// the message, so a board whose stream is smaller than the message still produces it.
// Output: 18([protected, {}, payload, signature]) with protected = {1: -8, 4: kid} (deterministic
// CBOR), signature = Ed25519 over Sig_structure ["Signature1", protected, h'', payload] (§4.4).
// Byte-for-byte the encoding of protocol/cose.ts encodeSign1(protectedHeader(kid), payload, sig).
import { cborAt, cborPos, cborHead, cborBytes, cborRaw, cborHeadSize } from './cbor';
import { kidPtr, kidLen, writePayload } from './update';
import { edSign, edSignStart, edSignMid, edSignEnd } from './ed25519';
import { sha512Update } from './sha512';
import { sinkMem, sinkCount, sinkHash, sinkRange, sinkPos, putHead, putString } from './sink';

const PROT: usize = memory.data(80, 8);    // encoded protected header
const SIGHDR: usize = memory.data(112, 8); // Sig_structure up to the payload's bytes
const SIG: usize = memory.data(64, 8);
// "Signature1" as a CBOR text string (RFC 9052 §4.4 context)
export const CTX: usize = memory.data<u8>([0x6a, 0x53, 0x69, 0x67, 0x6e, 0x61, 0x74, 0x75, 0x72, 0x65, 0x31]);
const ALG_EDDSA: u8 = 0x27; // -8 as CBOR negative integer (major 1, argument 7)

/** Room needed in front of the payload for the COSE_Sign1 prefix. */
export const COSE_PREFIX_ROOM: usize = 96;
/** Bytes after the payload: bstr(64) head + signature. */
export const COSE_SUFFIX: usize = 66;

function protectedHeader(): usize {
  // protected header {1: -8, 4: kid}; keys 1 < 4 already in canonical order
  cborAt(PROT);
  cborHead(5, 2); cborHead(0, 1); store<u8>(cborPos(), ALG_EDDSA); cborAt(cborPos() + 1);
  cborHead(0, 4); cborBytes(kidPtr, kidLen);
  return cborPos() - PROT;
}

/** Builds and signs the COSE_Sign1 of the parsed update record. `out` must have
 *  COSE_PREFIX_ROOM + payload bound + COSE_SUFFIX bytes. Returns the message length; the
 *  message starts at `out`. */
export function coseSignUpdate(out: usize): usize {
  mSigned = false;
  const protLen = protectedHeader();

  // payload, written where it will sit in the final message
  const payload = out + COSE_PREFIX_ROOM;
  sinkMem(payload);
  writePayload();
  const payloadLen = sinkPos();

  // Sig_structure = [context, body_protected, external_aad = h'', payload] (RFC 9052 §4.4)
  cborAt(SIGHDR);
  cborHead(4, 4); cborRaw(CTX, 11); cborBytes(PROT, protLen); cborHead(2, 0); cborHead(2, <u64>payloadLen);
  edSign(SIG, SIGHDR, cborPos() - SIGHDR, payload, payloadLen);

  // 18([bstr(protected), {}, bstr(payload), bstr(signature)]) (RFC 9052 §4.2)
  const prefixLen: usize = <usize>2 + cborHeadSize(<u64>protLen) + protLen + <usize>1 + cborHeadSize(<u64>payloadLen);
  const start = payload - prefixLen;
  cborAt(start);
  cborHead(6, 18); cborHead(4, 4); cborBytes(PROT, protLen); cborHead(5, 0); cborHead(2, <u64>payloadLen);
  cborAt(payload + payloadLen);
  cborBytes(SIG, 64);
  const total = cborPos() - start;
  memory.copy(out, start, total);
  memory.fill(SIG, 0, 64);
  return total;
}

// The last coseSignModel: signature, lengths, and the layout it was made under.
const MSIG: usize = memory.data(64, 8);
let mProtLen: usize = 0, mPayloadLen: usize = 0, mTotal: usize = 0;
let mEpoch: u32 = 0;
let mSigned = false;

/** Signs the COSE_Sign1 of the parsed record (parseRecord with fromKernel) over the kernel's model,
 *  streaming the Sig_structure twice through SHA-512 from firmware memory (edSignStart/Mid/End):
 *  nothing but the record and 256 bytes of scratch are needed beside the model. Returns the
 *  message length; coseReadUpdate writes its bytes. `epoch` is the layout's (kernel/layout.ts). */
export function coseSignModel(epoch: u32): usize {
  const protLen = protectedHeader();
  sinkCount(); writePayload();
  const payloadLen = sinkPos();
  cborAt(SIGHDR);
  cborHead(4, 4); cborRaw(CTX, 11); cborBytes(PROT, protLen); cborHead(2, 0); cborHead(2, <u64>payloadLen);
  const hdrLen = cborPos() - SIGHDR;
  edSignStart();
  sha512Update(SIGHDR, hdrLen); sinkHash(); writePayload();
  edSignMid(MSIG);
  sha512Update(SIGHDR, hdrLen); sinkHash(); writePayload();
  edSignEnd(MSIG);
  mProtLen = protLen; mPayloadLen = payloadLen; mEpoch = epoch; mSigned = true;
  mTotal = <usize>2 + cborHeadSize(<u64>protLen) + protLen + <usize>1 + cborHeadSize(<u64>payloadLen) + payloadLen + COSE_SUFFIX;
  return mTotal;
}

/** Forgets the last coseSignModel message (a new record is about to be parsed). */
export function coseForget(): void { mSigned = false; }

/** Length of the message coseSignModel made under layout `epoch`, or 0 if there is none (nothing
 *  signed yet, or the kernel's model was replaced since). */
export function coseSignedLength(epoch: u32): usize { return mSigned && mEpoch == epoch ? mTotal : 0; }

/** Writes bytes [off, off + len) of the last coseSignModel message to `dst` (the caller clipped
 *  the range): the same bytes coseSignUpdate writes for that record and model. */
export function coseReadUpdate(dst: usize, off: usize, len: usize): void {
  sinkRange(dst, off, len);
  putHead(6, 18); putHead(4, 4); putString(2, PROT, mProtLen); putHead(5, 0); putHead(2, <u64>mPayloadLen);
  writePayload();
  putString(2, MSIG, 64);
}
