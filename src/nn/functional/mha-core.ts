/**
 * The body of `F.multiHeadAttentionForward` (src/nn/functional/mha.ts), shared with
 * `nn.MultiheadAttention.forward`: the same steps as torch 1.13's `multi_head_attention_forward`
 * (shape checks, in-projection, bias_k/bias_v, heads, zero attention, masks, softmax, dropout,
 * out-projection), with `op` naming the caller in every error. Not exported from nn.functional.
 */
import { Tensor, cat, pad, softmax, where, zeros } from "../../core.js";
import { TensileError, fmtShape, fmtValue } from "../../errors.js";
import { dropout } from "./dropout.js";
import { linear } from "./linear.js";
import type { MultiHeadAttentionForwardOptions } from "./mha.js";

/** `multiHeadAttentionForward` whose errors start with `op` (nn.MultiheadAttention passes its name). */
export function mhaForward(
  op: string, query: Tensor, key: Tensor, value: Tensor, opts: MultiHeadAttentionForwardOptions,
): [Tensor, Tensor | null] {
  const need = (t: unknown, what: string): Tensor => {
    if (!(t instanceof Tensor)) throw new TensileError(`${op}: ${what} must be a Tensor, got ${fmtValue(t)}`);
    return t;
  };
  // a mask as an additive term: bool true → −∞, floats as they are
  const additive = (m: Tensor, what: string): Tensor => {
    if (m.dtype === "bool") return where(m, -Infinity, 0);
    if (m.dtype === "int32") throw new TensileError(`${op}: only bool and floating types of ${what} are supported, got int32`);
    return m;
  };
  need(query, "query");
  need(key, "key");
  need(value, "value");
  if (typeof opts !== "object" || opts === null) throw new TensileError(`${op}: options must be an object, got ${fmtValue(opts)}`);
  const {
    embedDimToCheck, numHeads: H, inProjWeight = null, inProjBias = null, biasK = null, biasV = null, addZeroAttn = false,
    outProjWeight, outProjBias = null, training = true, needWeights = true, useSeparateProjWeight = false,
    qProjWeight = null, kProjWeight = null, vProjWeight = null, staticK = null, staticV = null, averageAttnWeights = true,
  } = opts;
  let { dropoutP = 0, keyPaddingMask = null, attnMask = null } = opts;

  // torch's _mha_shape_check
  const batched = query.ndim === 3;
  if (!batched && query.ndim !== 2) throw new TensileError(`${op}: query should be unbatched 2D or batched 3D tensor but received ${query.ndim}-D query tensor (shape ${fmtShape(query.shape)})`);
  const kind = batched ? "batched (3-D)" : "unbatched (2-D)";
  if (key.ndim !== query.ndim || value.ndim !== query.ndim)
    throw new TensileError(`${op}: for ${kind} query, expected key and value to be ${query.ndim}-D but found ${key.ndim}-D and ${value.ndim}-D tensors respectively`);
  if (keyPaddingMask) need(keyPaddingMask, "keyPaddingMask");
  if (attnMask) {
    need(attnMask, "attnMask");
    if (attnMask.ndim !== 2 && attnMask.ndim !== 3)
      throw new TensileError(`${op}: for ${kind} query, expected attn_mask to be null, 2-D or 3-D but found ${attnMask.ndim}-D tensor (shape ${fmtShape(attnMask.shape)}) instead`);
  }
  let q0 = query, k0 = key, v0 = value;
  if (!batched) {
    q0 = query.unsqueeze(1);
    k0 = key.unsqueeze(1);
    v0 = value.unsqueeze(1);
  }
  const [L, N, E] = q0.shape as [number, number, number];
  if (E !== embedDimToCheck) throw new TensileError(`${op}: was expecting embedding dimension of ${fmtValue(embedDimToCheck)}, but got ${E}`);
  if (!Number.isInteger(H) || H <= 0 || E % H !== 0) throw new TensileError(`${op}: embed_dim ${E} not divisible by num_heads ${fmtValue(H)}`);
  const D = E / H;
  if (useSeparateProjWeight) {
    if (k0.shape[0] !== v0.shape[0] || k0.shape[1] !== v0.shape[1])
      throw new TensileError(`${op}: key's sequence and batch dims ${fmtShape(k0.shape.slice(0, 2))} do not match value's ${fmtShape(v0.shape.slice(0, 2))}`);
  } else if (k0.shape.some((d, i) => d !== v0.shape[i])) {
    throw new TensileError(`${op}: key shape ${fmtShape(k0.shape)} does not match value shape ${fmtShape(v0.shape)}`);
  }
  if (k0.shape[1] !== N) throw new TensileError(`${op}: key ${fmtShape(key.shape)} and query ${fmtShape(query.shape)} have different batch sizes`);
  need(outProjWeight, "outProjWeight");

  // in-projection
  const b3 = inProjBias ? need(inProjBias, "inProjBias") : null;
  if (b3 && (b3.ndim !== 1 || b3.shape[0] !== 3 * E)) throw new TensileError(`${op}: expected inProjBias of shape ${fmtShape([3 * E])}, got ${fmtShape(b3.shape)}`);
  const bias = (i: number) => (b3 ? b3.narrow(0, i * E, E) : null);
  let q: Tensor, k: Tensor, v: Tensor;
  if (!useSeparateProjWeight) {
    const w = need(inProjWeight, "inProjWeight (useSeparateProjWeight is false)");
    if (w.ndim !== 2 || w.shape[0] !== 3 * E || w.shape[1] !== E)
      throw new TensileError(`${op}: expected inProjWeight of shape ${fmtShape([3 * E, E])}, got ${fmtShape(w.shape)}`);
    if (k0.shape[2] !== E)
      throw new TensileError(`${op}: key and value have ${k0.shape[2]} features but the packed projection (no kdim, vdim) needs embed_dim ${E}: key ${fmtShape(key.shape)}, value ${fmtShape(value.shape)}`);
    q = linear(q0, w.narrow(0, 0, E), bias(0));
    k = linear(k0, w.narrow(0, E, E), bias(1));
    v = linear(v0, w.narrow(0, 2 * E, E), bias(2));
  } else {
    const wq = need(qProjWeight, "qProjWeight (useSeparateProjWeight is true)");
    const wk = need(kProjWeight, "kProjWeight (useSeparateProjWeight is true)");
    const wv = need(vProjWeight, "vProjWeight (useSeparateProjWeight is true)");
    for (const [w, what, inF, x] of [[wq, "query", E, "query"], [wk, "key", k0.shape[2]!, "key"], [wv, "value", v0.shape[2]!, "value"]] as const)
      if (w.ndim !== 2 || w.shape[0] !== E || w.shape[1] !== inF)
        throw new TensileError(`${op}: expecting ${what} weights shape of ${fmtShape([E, inF])}, but got ${fmtShape(w.shape)} (${x} has ${inF} features)`);
    q = linear(q0, wq, bias(0));
    k = linear(k0, wk, bias(1));
    v = linear(v0, wv, bias(2));
  }

  // the keys' count the masks must cover, before the biasK and zero steps
  if (staticK) need(staticK, "staticK");
  if (staticV) need(staticV, "staticV");
  const S0 = staticK && staticK.ndim === 3 ? staticK.shape[1]! : k0.shape[0]!;
  let mask: Tensor | null = null; // additive, [1 or N·H, L, S']
  if (attnMask) {
    const m = additive(attnMask, "attn_mask");
    const want = m.ndim === 2 ? [L, S0] : [N * H, L, S0];
    if (m.shape.some((d, i) => d !== want[i])) {
      const got = fmtShape(attnMask.shape);
      throw new TensileError(`${op}: attn_mask should be ${fmtShape([L, S0])} or ${fmtShape([N * H, L, S0])}, got ${got}: the shape of the ${m.ndim}D attn_mask is ${got}, but should be ${fmtShape(want)}`);
    }
    mask = m.ndim === 2 ? m.unsqueeze(0) : m;
  }
  let kpm: Tensor | null = null; // additive, [N, S']
  if (keyPaddingMask) {
    const want = batched ? [N, S0] : [S0];
    if (keyPaddingMask.ndim !== want.length || keyPaddingMask.shape.some((d, i) => d !== want[i]))
      throw new TensileError(`${op}: expecting key_padding_mask shape of ${fmtShape(want)}, but got ${fmtShape(keyPaddingMask.shape)}`);
    kpm = additive(keyPaddingMask, "key_padding_mask");
    if (!batched) kpm = kpm.unsqueeze(0);
  }
  const padLast = (m: Tensor): Tensor => pad(m, [0, 1]); // one zero (attend) column

  if (biasK || biasV) {
    if (!biasK || !biasV) throw new TensileError(`${op}: biasK and biasV must be given together (got only ${biasK ? "biasK" : "biasV"})`);
    if (staticK) throw new TensileError(`${op}: bias cannot be added to static key.`);
    if (staticV) throw new TensileError(`${op}: bias cannot be added to static value.`);
    for (const [t, what] of [[biasK, "biasK"], [biasV, "biasV"]] as const)
      if (need(t, what).numel() !== E) throw new TensileError(`${op}: ${what} must be [1, 1, ${E}], got ${fmtShape(t.shape)}`);
    k = cat([k, biasK.reshape([1, 1, E]).expand([1, N, E])]);
    v = cat([v, biasV.reshape([1, 1, E]).expand([1, N, E])]);
    if (mask) mask = padLast(mask);
    if (kpm) kpm = padLast(kpm);
  }
  const heads = (x: Tensor) => x.reshape([x.shape[0]!, N * H, D]).transpose(0, 1); // [seq, N, E] → [N·H, seq, D]
  const staticOk = (t: Tensor, what: string) => {
    if (t.ndim !== 3) throw new TensileError(`${op}: expecting ${what} of shape [${N * H}, S, ${D}], but got ${fmtShape(t.shape)}`);
    if (t.shape[0] !== N * H) throw new TensileError(`${op}: expecting ${what}.size(0) of ${N * H}, but got ${t.shape[0]}`);
    if (t.shape[2] !== D) throw new TensileError(`${op}: expecting ${what}.size(2) of ${D}, but got ${t.shape[2]}`);
    return t;
  };
  const qh = heads(q);
  let kh = staticK ? staticOk(staticK, "static_k") : heads(k);
  let vh = staticV ? staticOk(staticV, "static_v") : heads(v);
  if (kh.shape[1] !== vh.shape[1])
    throw new TensileError(`${op}: keys and values must have the same length, got ${kh.shape[1]} keys and ${vh.shape[1]} values`);
  if (addZeroAttn) {
    kh = cat([kh, zeros([N * H, 1, D], { dtype: kh.dtype })], 1);
    vh = cat([vh, zeros([N * H, 1, D], { dtype: vh.dtype })], 1);
    if (mask) mask = padLast(mask);
    if (kpm) kpm = padLast(kpm);
  }
  const S = kh.shape[1]!;
  if (kpm) {
    const k3 = kpm.reshape([N, 1, 1, S]).expand([N, H, 1, S]).reshape([N * H, 1, S]);
    mask = mask ? mask.add(k3) : k3;
  }
  if (!training) dropoutP = 0;
  if (typeof dropoutP !== "number" || !(dropoutP >= 0 && dropoutP <= 1))
    throw new TensileError(`${op}: dropout probability has to be between 0 and 1, but got ${fmtValue(dropoutP)}`);

  let scores = qh.mul(1 / Math.sqrt(D)).matmul(kh.transpose(1, 2)); // [N·H, L, S]
  if (mask) scores = scores.add(mask);
  let attn = softmax(scores, -1);
  if (dropoutP > 0) attn = dropout(attn, dropoutP, true);
  const ctx = attn.matmul(vh).transpose(0, 1).reshape([L, N, E]);
  let out = linear(ctx, outProjWeight, outProjBias);
  if (!batched) out = out.squeeze(1);
  if (!needWeights) return [out, null];
  let weights = attn.reshape([N, H, L, S]);
  if (averageAttnWeights) weights = weights.mean(1);
  if (!batched) weights = weights.squeeze(0);
  return [out, weights];
}
