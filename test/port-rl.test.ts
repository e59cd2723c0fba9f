/**
 * Port of tools/gen-port-rl-fixtures.py: two reinforcement-learning programs as the PyTorch
 * tutorials write them, on a tiny deterministic corridor written here exactly as there, compared
 * with torch 1.13 step by step in float64 (setDefaultDtype("float64"), as the torch side's
 * torch.set_default_dtype) on both backends:
 * - DQN twice: the tutorial's first form (RMSprop, a hard target copy by loadStateDict every few
 *   steps, `.max(1)[0].detach()`, F.smoothL1Loss, gradients clamped to [-1, 1]) and its current form
 *   (AdamW with amsgrad, next-state values under noGrad with `.max(1).values`, nn.SmoothL1Loss,
 *   clipGradValue_(…, 100), the soft update `tp.copy_(p·τ + tp·(1 − τ))` under noGrad, then once in
 *   the tutorial's state-dict form); Q(s, a) by gather, a terminal mask written with indexPut_;
 * - REINFORCE (Categorical(probs) of a softmax) and actor-critic (Categorical({ logits }), an entropy
 *   bonus, a value head trained with F.mseLoss), with discounted returns from a reversed loop,
 *   normalised by (R − mean) / (std + eps); Adam; the actor-critic resumed from torch's checkpoint.
 * Exploration's uniform numbers, random actions, the replay memory's sampled indices and the
 * sampled actions of the policy-gradient episodes come from the fixture (torch's and Python's
 * generators cannot be matched); the Tensile side checks its own sample() separately.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as T from "../src/index.js";
import { F, nn, optim, type Tensor } from "../src/index.js";
import { Categorical } from "../src/distributions/index.js";
import { type TensorSpec, decode } from "./helpers/fixtures.js";

const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
type StateSpec = Record<string, TensorSpec>;
interface DqnRecord {
  explore: number[]; randomActions: number[]; actions: number[]; losses: number[]; q: number[][]; nextValues: number[][];
  greedyQ: number[][]; sampled: number[][]; policy: StateSpec; target: StateSpec; targetAfterStateDictUpdate?: StateSpec;
  optimizer: { state: Record<string, Record<string, TensorSpec | number>>; param_groups: Record<string, unknown>[] };
}
interface AcRecord {
  episodes: number[][]; losses: number[]; policyLosses: number[]; valueLosses: number[]; entropies: number[]; returns: number[][]; final: StateSpec;
}
const fx = JSON.parse(readFileSync(fixturePath("port-rl.json"), "utf8")) as {
  config: Record<string, number>; dqn: { hard: DqnRecord; soft: DqnRecord }; ac: { reinforce: AcRecord; actorCritic: AcRecord };
  finfo: Record<"float32" | "float64", Record<string, number>>; iinfo: { int32: Record<string, number> };
};
const C = fx.config as {
  nCells: number; start: number; maxT: number; hidden: number; batchSize: number; gamma: number; capacity: number; epsStart: number;
  epsEnd: number; epsDecay: number; totalSteps: number; targetEvery: number; tau: number; lr: number; acHidden: number; acGamma: number;
  acLr: number; eps: number; entropyCoef: number; ckptAt: number;
};
const N_OBS = C.nCells + 1, N_ACT = 2;
const eps = T.finfo("float32").eps; // the examples' np.finfo(np.float32).eps.item()

function close(what: string, got: number, want: number, rtol: number, atol = 0): void {
  assert.ok(Math.abs(got - want) <= atol + rtol * Math.abs(want), `${what}: got ${got}, torch ${want} (rtol ${rtol})`);
}
function closeList(what: string, got: number[], want: number[], rtol: number, atol = 0): void {
  assert.equal(got.length, want.length, `${what}: length`);
  want.forEach((w, i) => close(`${what}[${i}]`, got[i]!, w, rtol, atol));
}
function closeState(what: string, got: Record<string, Tensor>, want: StateSpec, rtol: number, atol: number): void {
  assert.deepEqual(Object.keys(got), Object.keys(want), `${what}: state-dict keys`);
  for (const [k, w] of Object.entries(want)) {
    assert.deepEqual(got[k]!.shape, w.shape, `${what} ${k}: shape`);
    assert.equal(got[k]!.dtype, "float64", `${what} ${k}: dtype`);
    closeList(`${what} ${k}`, Array.from(got[k]!.dataSync(), Number), w.data.map(decode), rtol, atol);
  }
}

/** The program runs in float64 throughout, as torch's side after torch.set_default_dtype(torch.float64). */
function inFloat64<R>(fn: () => R): R {
  const before = T.getDefaultDtype();
  T.setDefaultDtype("float64");
  try {
    return fn();
  } finally {
    T.setDefaultDtype(before);
  }
}

// ---- the environment (identical to the generator's) ----

class Corridor {
  pos = 0;
  t = 0;
  reset(): number[] {
    this.pos = C.start;
    this.t = 0;
    return this.obs();
  }
  obs(): number[] {
    const o = new Array<number>(N_OBS).fill(0);
    o[this.pos] = 1;
    o[C.nCells] = this.pos / (C.nCells - 1);
    return o;
  }
  step(action: number): [obs: number[], reward: number, terminated: boolean, truncated: boolean] {
    this.pos += action === 1 ? 1 : -1;
    this.t += 1;
    const terminated = this.pos === 0 || this.pos === C.nCells - 1;
    const reward = this.pos === C.nCells - 1 ? 1 : this.pos === 0 ? -1 : -0.1;
    const truncated = !terminated && this.t >= C.maxT;
    return [this.obs(), reward, terminated, truncated];
  }
}

// ---- DQN, as the tutorial writes it ----

interface Transition { state: Tensor; action: Tensor; nextState: Tensor | null; reward: Tensor }

/** The tutorial's deque(maxlen=capacity); sample() takes the indices torch's side drew with random.sample. */
class ReplayMemory {
  memory: Transition[] = [];
  private drawn = 0;
  constructor(readonly capacity: number, private readonly indices: number[][]) {}
  push(t: Transition): void {
    this.memory.push(t);
    if (this.memory.length > this.capacity) this.memory.shift();
  }
  sample(batchSize: number): Transition[] {
    const idx = this.indices[this.drawn++]!;
    assert.equal(idx.length, batchSize);
    return idx.map((i) => this.memory[i]!);
  }
  get length(): number { return this.memory.length; }
}

class DQN extends nn.Module {
  layer1: nn.Linear;
  layer2: nn.Linear;
  layer3: nn.Linear;
  constructor(nObservations: number, nActions: number) {
    super();
    this.layer1 = new nn.Linear(nObservations, C.hidden);
    this.layer2 = new nn.Linear(C.hidden, C.hidden);
    this.layer3 = new nn.Linear(C.hidden, nActions);
  }
  override forward(x: Tensor): Tensor {
    x = F.relu(this.layer1.forward(x));
    x = F.relu(this.layer2.forward(x));
    return this.layer3.forward(x);
  }
}

const loadDqnInit = () => T.loadTorch<Record<string, Tensor>>(fixturePath("port-rl-dqn-init.pt"));

function runDqn(variant: "hard" | "soft") {
  const given = fx.dqn[variant];
  const env = new Corridor();
  const policyNet = new DQN(N_OBS, N_ACT);
  policyNet.loadStateDict(loadDqnInit());
  const targetNet = new DQN(N_OBS, N_ACT);
  targetNet.loadStateDict(policyNet.stateDict());
  let optimizer: optim.Optimizer;
  if (variant === "hard") {
    targetNet.eval();
    optimizer = new optim.RMSprop(policyNet.parameters(), { lr: C.lr });
  } else {
    optimizer = new optim.AdamW(policyNet.parameters(), { lr: C.lr, amsgrad: true });
  }
  const memory = new ReplayMemory(C.capacity, given.sampled);
  const rec = { actions: [] as number[], losses: [] as number[], q: [] as number[][], nextValues: [] as number[][], greedyQ: [] as number[][] };
  let stepsDone = 0;

  const selectAction = (state: Tensor): Tensor => {
    const sample = given.explore[stepsDone]!;
    const randomAction = given.randomActions[stepsDone]!; // env.action_space.sample()
    const epsThreshold = C.epsEnd + (C.epsStart - C.epsEnd) * Math.exp((-1 * stepsDone) / C.epsDecay);
    stepsDone += 1;
    rec.greedyQ.push(T.noGrad(() => policyNet.forward(state)).index([0]).tolist() as number[]);
    if (sample > epsThreshold) return T.noGrad(() => policyNet.forward(state).max(1)[1].view(1, 1));
    return T.tensor([[randomAction]], { dtype: "int32" }); // torch.long: Tensile's index dtype is int32
  };

  const optimizeModel = (): void => {
    if (memory.length < C.batchSize) return;
    const transitions = memory.sample(C.batchSize);
    // Transition(*zip(*transitions))
    const batch = {
      state: transitions.map((t) => t.state), action: transitions.map((t) => t.action),
      nextState: transitions.map((t) => t.nextState), reward: transitions.map((t) => t.reward),
    };
    const nonFinalMask = T.tensor(batch.nextState.map((s) => s !== null), { dtype: "bool" });
    const nonFinalNextStates = T.cat(batch.nextState.filter((s): s is Tensor => s !== null));
    const stateBatch = T.cat(batch.state);
    const actionBatch = T.cat(batch.action);
    const rewardBatch = T.cat(batch.reward);
    const stateActionValues = policyNet.forward(stateBatch).gather(1, actionBatch);
    const nextStateValues = T.zeros(C.batchSize);
    if (variant === "hard") {
      nextStateValues.indexPut_([nonFinalMask], targetNet.forward(nonFinalNextStates).max(1)[0].detach());
    } else {
      T.noGrad(() => nextStateValues.indexPut_([nonFinalMask], targetNet.forward(nonFinalNextStates).max(1).values));
    }
    const expectedStateActionValues = nextStateValues.mul(C.gamma).add(rewardBatch);
    let loss: Tensor;
    if (variant === "hard") {
      loss = F.smoothL1Loss(stateActionValues, expectedStateActionValues.unsqueeze(1));
    } else {
      const criterion = new nn.SmoothL1Loss();
      loss = criterion.forward(stateActionValues, expectedStateActionValues.unsqueeze(1));
    }
    optimizer.zeroGrad();
    loss.backward();
    if (variant === "hard") {
      // torch: param.grad.data.clamp_(-1, 1) — Tensile's x.data is an async read; a grad has no history anyway
      for (const param of policyNet.parameters()) param.grad!.clamp_(-1, 1);
    } else {
      nn.utils.clipGradValue_(policyNet.parameters(), 100);
    }
    optimizer.step();
    rec.losses.push(loss.item());
    rec.q.push(stateActionValues.squeeze(1).tolist() as number[]);
    rec.nextValues.push(nextStateValues.tolist() as number[]);
  };

  while (stepsDone < C.totalSteps) {
    let state: Tensor | null = T.tensor(env.reset()).unsqueeze(0);
    while (stepsDone < C.totalSteps) {
      const action = selectAction(state!);
      rec.actions.push(action.item());
      const [observation, r, terminated, truncated] = env.step(action.item());
      const reward = T.tensor([r]);
      const done = terminated || truncated;
      const nextState = terminated ? null : T.tensor(observation).unsqueeze(0);
      memory.push({ state: state!, action, nextState, reward });
      state = nextState;
      optimizeModel();
      if (variant === "hard") {
        if (stepsDone % C.targetEvery === 0) targetNet.loadStateDict(policyNet.stateDict());
      } else {
        // for tp, p in zip(target.parameters(), policy.parameters()): tp.data.copy_(τ·p.data + (1 − τ)·tp.data)
        T.noGrad(() => {
          const ps = policyNet.parameters();
          targetNet.parameters().forEach((tp, i) => tp.copy_(ps[i]!.mul(C.tau).add(tp.mul(1 - C.tau))));
        });
      }
      if (done) break;
    }
  }
  return { rec, policyNet, targetNet, optimizer };
}

for (const backend of ["reference", "wasm"] as const) {
  for (const variant of ["hard", "soft"] as const) {
    test(`port rl (${backend}): DQN (${variant} target update) matches torch step by step`, () => {
      T.withBackend(backend, () => inFloat64(() => {
        const want = fx.dqn[variant];
        const { rec, policyNet, targetNet, optimizer } = runDqn(variant);
        assert.deepEqual(rec.actions, want.actions, "epsilon-greedy actions");
        assert.equal(rec.losses.length, want.losses.length, "optimisation steps");
        rec.greedyQ.forEach((q, i) => closeList(`step ${i} Q(state, ·)`, q, want.greedyQ[i]!, 1e-10, 1e-13));
        rec.losses.forEach((l, i) => close(`step ${i} loss`, l, want.losses[i]!, 1e-9));
        rec.q.forEach((q, i) => closeList(`step ${i} Q(s, a)`, q, want.q[i]!, 1e-10, 1e-13));
        rec.nextValues.forEach((v, i) => closeList(`step ${i} next-state values`, v, want.nextValues[i]!, 1e-10, 1e-13));
        closeState("policy net", policyNet.stateDict(), want.policy, 1e-8, 1e-12);
        closeState("target net", targetNet.stateDict(), want.target, 1e-8, 1e-12);
        // the optimizer's state dict: torch's layout (keys, hyperparameters) and values after the run
        const osd = optimizer.stateDict();
        // torch's implementation flags are dropped, and `step` is a number (docs/optim.md)
        const flags = ["foreach", "differentiable", "capturable", "fused"];
        const wantGroups = want.optimizer.param_groups.map((g) => Object.fromEntries(Object.entries(g).filter(([k]) => !flags.includes(k))));
        assert.deepEqual(osd.param_groups, wantGroups, "param_groups");
        assert.deepEqual(Object.keys(osd.state), Object.keys(want.optimizer.state), "state: one entry per parameter");
        for (const [i, st] of Object.entries(want.optimizer.state)) {
          const got = osd.state[i] as Record<string, unknown>;
          assert.deepEqual(Object.keys(got), Object.keys(st), `state ${i}: keys`);
          for (const [k, v] of Object.entries(st)) {
            const g = got[k];
            if (k === "step") assert.equal(g, typeof v === "number" ? v : decode(v.data[0]!), `state ${i}.step`);
            else if (typeof v === "number") assert.equal(g, v, `state ${i}.${k}`);
            else closeList(`state ${i}.${k}`, Array.from((g as Tensor).dataSync(), Number), v.data.map(decode), 1e-8, 1e-16);
          }
        }
        if (variant === "soft") {
          // the tutorial's current soft update, through the state dicts
          const targetNetStateDict = targetNet.stateDict();
          const policyNetStateDict = policyNet.stateDict();
          for (const key of Object.keys(policyNetStateDict))
            targetNetStateDict[key] = policyNetStateDict[key]!.mul(C.tau).add(targetNetStateDict[key]!.mul(1 - C.tau));
          targetNet.loadStateDict(targetNetStateDict);
          closeState("target net after the state-dict soft update", targetNet.stateDict(), want.targetAfterStateDictUpdate!, 1e-8, 1e-12);
        }
      }));
    });
  }
}

for (const backend of ["reference", "wasm"] as const) {
  test(`port rl (${backend}): a DQN checkpoint (both nets, AdamW amsgrad state) saved with saveTorch resumes exactly`, () => {
    T.withBackend(backend, () => inFloat64(() => {
      const { policyNet, targetNet, optimizer } = runDqn("soft");
      const bytes = T.saveTorchBytes({ policy_net: policyNet.stateDict(), target_net: targetNet.stateDict(), optimizer: optimizer.stateDict(), steps_done: C.totalSteps });
      const ckpt = T.loadTorchBytes<{ policy_net: Record<string, Tensor>; target_net: Record<string, Tensor>; optimizer: optim.OptimizerStateDict; steps_done: number }>(bytes);
      assert.equal(ckpt.steps_done, C.totalSteps);
      const policy2 = new DQN(N_OBS, N_ACT), target2 = new DQN(N_OBS, N_ACT);
      policy2.loadStateDict(ckpt.policy_net);
      target2.loadStateDict(ckpt.target_net);
      const optimizer2 = new optim.AdamW(policy2.parameters(), { lr: C.lr, amsgrad: true });
      optimizer2.loadStateDict(ckpt.optimizer);
      // one more update of both on the same batch (every non-terminal state, both actions' targets from the target net)
      const env = new Corridor();
      const states = T.tensor(Array.from({ length: C.nCells - 2 }, (_, k) => ((env.pos = k + 1), env.obs())));
      const actions = T.tensor([[0], [1], [1], [0]], { dtype: "int32" });
      const step = (policy: DQN, target: DQN, opt: optim.Optimizer): number => {
        const want = T.noGrad(() => target.forward(states).max(1).values.mul(C.gamma).sub(0.1));
        const loss = new nn.SmoothL1Loss().forward(policy.forward(states).gather(1, actions).squeeze(1), want);
        opt.zeroGrad();
        loss.backward();
        nn.utils.clipGradValue_(policy.parameters(), 100);
        opt.step();
        return loss.item();
      };
      for (let k = 0; k < 3; k++) assert.equal(step(policy2, target2, optimizer2), step(policyNet, targetNet, optimizer), `resumed update ${k}: loss`);
      for (const [k, v] of Object.entries(policyNet.stateDict()))
        assert.deepEqual(Array.from(policy2.stateDict()[k]!.dataSync()), Array.from(v.dataSync()), `resumed ${k}`);
    }));
  });
}

// ---- REINFORCE and actor-critic, as pytorch/examples write them ----

interface SavedAction { logProb: Tensor; value: Tensor }

class Policy extends nn.Module {
  affine1 = new nn.Linear(N_OBS, C.acHidden);
  // torch's attribute names: the state dict's keys are property names
  action_head = new nn.Linear(C.acHidden, N_ACT);
  value_head = new nn.Linear(C.acHidden, 1);
  savedActions: SavedAction[] = [];
  rewards: number[] = [];
  entropies: Tensor[] = [];
  override forward(x: Tensor): [Tensor, Tensor] {
    x = F.relu(this.affine1.forward(x));
    return [this.action_head.forward(x), this.value_head.forward(x)];
  }
}

function runAc(variant: "reinforce" | "actorCritic", opts: { resume?: boolean } = {}) {
  const given = fx.ac[variant];
  const env = new Corridor();
  const model = new Policy();
  const optimizer = new optim.Adam(model.parameters(), { lr: C.acLr });
  let first = 0;
  if (opts.resume) {
    const ckpt = T.loadTorch<{ model: Record<string, Tensor>; optimizer: optim.OptimizerStateDict }>(fixturePath("port-rl-ac-ckpt.pt"));
    model.loadStateDict(ckpt.model);
    optimizer.loadStateDict(ckpt.optimizer);
    first = C.ckptAt;
  } else {
    model.loadStateDict(T.loadTorch<Record<string, Tensor>>(fixturePath("port-rl-ac-init.pt")));
  }
  const rec = { losses: [] as number[], policyLosses: [] as number[], valueLosses: [] as number[], entropies: [] as number[], returns: [] as number[][] };

  const selectAction = (obs: number[], givenAction: number): number => {
    const state = T.tensor(obs);
    const [logits, stateValue] = model.forward(state);
    const m = variant === "reinforce" ? new Categorical({ probs: F.softmax(logits, -1) }) : new Categorical({ logits });
    const action = T.tensor(givenAction, { dtype: "int32" }); // torch's m.sample(), from the fixture
    model.savedActions.push({ logProb: m.logProb(action), value: stateValue });
    model.entropies.push(m.entropy());
    return action.item();
  };

  const finishEpisode = (): void => {
    let R = 0;
    const savedActions = model.savedActions;
    const policyLosses: Tensor[] = [];
    const valueLosses: Tensor[] = [];
    const returnsList: number[] = [];
    for (const r of [...model.rewards].reverse()) {
      R = r + C.acGamma * R;
      returnsList.unshift(R);
    }
    let returns = T.tensor(returnsList);
    returns = returns.sub(returns.mean()).div(returns.std().add(eps));
    savedActions.forEach(({ logProb, value }, i) => {
      const Ri = returns.index([i]);
      if (variant === "reinforce") {
        policyLosses.push(logProb.neg().mul(Ri));
      } else {
        const advantage = Ri.sub(value.item());
        policyLosses.push(logProb.neg().mul(advantage));
        valueLosses.push(F.mseLoss(value, T.tensor([Ri]))); // torch.tensor([R]) of a 0-d tensor
      }
    });
    const entropy = T.stack(model.entropies).sum();
    const policyLoss = T.stack(policyLosses).sum();
    let loss: Tensor;
    if (variant === "reinforce") {
      loss = policyLoss;
    } else {
      const valueLoss = T.stack(valueLosses).sum();
      loss = policyLoss.add(valueLoss).sub(entropy.mul(C.entropyCoef));
      rec.valueLosses.push(valueLoss.item());
    }
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    rec.losses.push(loss.item());
    rec.policyLosses.push(policyLoss.item());
    rec.entropies.push(entropy.item());
    rec.returns.push(returns.tolist() as number[]);
    model.rewards.length = 0;
    model.savedActions.length = 0;
    model.entropies.length = 0;
  };

  for (let iEpisode = first; iEpisode < given.episodes.length; iEpisode++) {
    let state = env.reset();
    for (const givenAction of given.episodes[iEpisode]!) {
      const action = selectAction(state, givenAction);
      const [next, reward, terminated, truncated] = env.step(action);
      state = next;
      model.rewards.push(reward);
      if (terminated || truncated) break;
    }
    finishEpisode();
  }
  return { rec, model, first };
}

/**
 * The actor-critic update written batched, as A2C/PPO code does: the episode's states in one forward
 * pass, Categorical over [T, 2] logits, logProb of the [T] actions, F.mseLoss with reduction "sum";
 * the same numbers as the per-step form torch ran.
 */
function runAcBatched() {
  const given = fx.ac.actorCritic;
  const env = new Corridor();
  const model = new Policy();
  model.loadStateDict(T.loadTorch<Record<string, Tensor>>(fixturePath("port-rl-ac-init.pt")));
  const optimizer = new optim.Adam(model.parameters(), { lr: C.acLr });
  const rec = { losses: [] as number[], entropies: [] as number[] };
  for (const actions of given.episodes) {
    const states: number[][] = [env.reset()], rewards: number[] = [];
    for (const a of actions) {
      const [next, reward] = env.step(a);
      states.push(next);
      rewards.push(reward);
    }
    states.pop(); // the state after the last action is not acted on
    let R = 0;
    const returnsList = rewards.map(() => 0);
    for (let t = rewards.length - 1; t >= 0; t--) returnsList[t] = R = rewards[t]! + C.acGamma * R;
    let returns = T.tensor(returnsList);
    returns = returns.sub(returns.mean()).div(returns.std().add(eps));
    const [logits, values] = model.forward(T.tensor(states));
    const m = new Categorical({ logits });
    const logProbs = m.logProb(T.tensor(actions, { dtype: "int32" }));
    const v = values.squeeze(-1);
    const advantage = returns.sub(v.detach());
    const entropy = m.entropy().sum();
    const loss = logProbs.neg().mul(advantage).sum().add(F.mseLoss(v, returns, { reduction: "sum" })).sub(entropy.mul(C.entropyCoef));
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    rec.losses.push(loss.item());
    rec.entropies.push(entropy.item());
  }
  return { rec, model };
}

for (const backend of ["reference", "wasm"] as const) {
  test(`port rl (${backend}): actor-critic written batched (one forward per episode) matches torch's per-step run`, () => {
    T.withBackend(backend, () => inFloat64(() => {
      const want = fx.ac.actorCritic;
      const { rec, model } = runAcBatched();
      rec.losses.forEach((l, i) => close(`update ${i} loss`, l, want.losses[i]!, 1e-9, 1e-13));
      rec.entropies.forEach((e, i) => close(`update ${i} entropy`, e, want.entropies[i]!, 1e-9));
      closeState("final weights", model.stateDict(), want.final, 1e-8, 1e-12);
    }));
  });
  for (const variant of ["reinforce", "actorCritic"] as const) {
    test(`port rl (${backend}): ${variant === "reinforce" ? "REINFORCE" : "actor-critic"} matches torch update by update`, () => {
      T.withBackend(backend, () => inFloat64(() => {
        const want = fx.ac[variant];
        const { rec, model } = runAc(variant);
        assert.equal(rec.losses.length, want.losses.length, "updates");
        rec.returns.forEach((r, i) => closeList(`update ${i} normalised returns`, r, want.returns[i]!, 1e-12, 1e-14));
        rec.losses.forEach((l, i) => close(`update ${i} loss`, l, want.losses[i]!, 1e-9, 1e-14));
        rec.policyLosses.forEach((l, i) => close(`update ${i} policy loss`, l, want.policyLosses[i]!, 1e-9, 1e-14));
        rec.valueLosses.forEach((l, i) => close(`update ${i} value loss`, l, want.valueLosses[i]!, 1e-9));
        rec.entropies.forEach((e, i) => close(`update ${i} entropy`, e, want.entropies[i]!, 1e-9));
        closeState("final weights", model.stateDict(), want.final, 1e-8, 1e-12);
      }));
    });
  }
  test(`port rl (${backend}): actor-critic resumed from torch's checkpoint (model + Adam state) ends as torch`, () => {
    T.withBackend(backend, () => inFloat64(() => {
      const want = fx.ac.actorCritic;
      const { rec, model, first } = runAc("actorCritic", { resume: true });
      rec.losses.forEach((l, i) => close(`update ${first + i} loss`, l, want.losses[first + i]!, 1e-9, 1e-14));
      closeState("final weights", model.stateDict(), want.final, 1e-8, 1e-12);
    }));
  });
}

// ---- what the port needed, and checks of the Tensile forms a user writes instead of torch's ----

test("port rl: tensor([R]) of one-element tensors, as torch.tensor (actor_critic.py's F.mse_loss(value, torch.tensor([R])))", () => {
  inFloat64(() => {
    const returns = T.tensor([0.5, -1.25], { requiresGrad: true });
    const R = returns.index([1]);
    const t = T.tensor([R]);
    assert.equal(t.dtype, "float64");
    assert.deepEqual(t.shape, [1]);
    assert.deepEqual(t.tolist(), [-1.25]);
    assert.equal(t.requiresGrad, false, "a copy of the value, without history (torch: requires_grad=False)");
    // torch: tensor([float64 0-d, 2]) is float64; tensor([int 0-d, 1.5]) the default float; bools stay bool
    assert.equal(T.tensor([R, 2]).dtype, "float64");
    assert.equal(T.tensor([T.tensor(2, { dtype: "int32" }), 1.5]).dtype, "float64");
    assert.equal(T.tensor([T.tensor(2, { dtype: "int32" }), 3]).dtype, "int32");
    assert.equal(T.tensor([T.tensor(1.5, { dtype: "float32" })]).dtype, "float32", "a tensor element's dtype, not the default");
    const b = T.tensor([T.tensor(true), T.tensor(false)]);
    assert.equal(b.dtype, "bool");
    assert.deepEqual(b.tolist(), [true, false]);
    // a one-element tensor of any shape is a scalar (torch: tensor([tensor([1.5])]) has shape [1]); nested lists
    assert.deepEqual(T.tensor([[T.tensor([1.5]), 2], [3, R]]).tolist(), [[1.5, 2], [3, -1.25]]);
    assert.equal(T.tensor([R], { dtype: "float32" }).dtype, "float32");
  });
  assert.throws(() => T.tensor([T.tensor([1, 2])]),
    /^TensileError: tensor: only one element tensors can be converted to Python scalars \(got an element of shape \[2\]; join tensors with stack or cat\)/);
  assert.throws(() => T.tensor([{} as unknown as number]), /tensor: could not infer dtype of object/);
});

test("port rl: finfo / iinfo give torch's limits", () => {
  for (const d of ["float32", "float64"] as const) {
    const f = T.finfo(d);
    assert.equal(f.dtype, d);
    for (const [k, v] of Object.entries(fx.finfo[d])) assert.equal(f[k as keyof T.FInfo], v, `finfo(${d}).${k}`);
  }
  for (const [k, v] of Object.entries(fx.iinfo.int32)) assert.equal(T.iinfo("int32")[k as keyof T.IInfo], v, `iinfo(int32).${k}`);
  assert.equal(1 + T.finfo("float64").eps / 2, 1);
  assert.notEqual(Math.fround(1 + T.finfo("float32").eps), 1);
  assert.equal(T.finfo().dtype, "float32", "the default dtype");
  assert.equal(inFloat64(() => T.finfo().dtype), "float64");
  assert.throws(() => T.finfo("int32"), /^TensileError: finfo: requires a floating point input type, got int32\. Use iinfo to handle 'int32'/);
  assert.throws(() => T.iinfo("float32"), /^TensileError: iinfo: requires an integer input type, got float32\. Use finfo to handle 'float32'/);
  assert.throws(() => T.iinfo("bool"), /^TensileError: iinfo: bool is not supported by iinfo/);
  assert.throws(() => T.finfo("float16" as T.DType), /^TensileError: finfo: expected a dtype \(float32, float64, int32 or bool\), got "float16"/);
});

test("port rl: Categorical(probs) written positionally, as reinforce.py does, gets an error saying what to write", () => {
  const probs = T.tensor([0.25, 0.75]);
  assert.throws(() => new Categorical(probs as unknown as { probs: Tensor }),
    /^TensileError: Categorical: got a Tensor of shape \[2\] where \{ probs \} or \{ logits \} was expected \(PyTorch's positional probs argument is \{ probs: t \} here\)/);
  assert.throws(() => new T.distributions.Bernoulli(T.tensor(0.3) as unknown as { probs: Tensor }), /^TensileError: Bernoulli: got a Tensor of shape \[\]/);
  // the select_action of the examples: a draw, its log-probability (int32 draws, as Tensile's index dtype)
  T.manualSeed(3);
  const m = new Categorical({ probs });
  const action = m.sample();
  assert.equal(action.dtype, "int32");
  assert.deepEqual(action.shape, []);
  assert.ok(action.item() === 0 || action.item() === 1);
  close("log_prob of the draw", m.logProb(action).item(), Math.log(action.item() === 0 ? 0.25 : 0.75), 1e-7);
});

for (const backend of ["reference", "wasm"] as const) {
  test(`port rl (${backend}): the soft target update written with mul_/add_ or lerp_ under noGrad equals the copy_ form`, () => {
    T.withBackend(backend, () => inFloat64(() => {
      const policy = new DQN(N_OBS, N_ACT), a = new DQN(N_OBS, N_ACT), b = new DQN(N_OBS, N_ACT), c = new DQN(N_OBS, N_ACT);
      policy.loadStateDict(loadDqnInit());
      const { policy: trained } = fx.dqn.soft;
      for (const m of [a, b, c]) m.loadStateDict(Object.fromEntries(Object.entries(trained).map(([k, v]) => [k, T.tensor(v.data.map(decode), { shape: v.shape })])));
      const ps = policy.parameters();
      T.noGrad(() => {
        a.parameters().forEach((tp, i) => tp.copy_(ps[i]!.mul(C.tau).add(tp.mul(1 - C.tau))));
        b.parameters().forEach((tp, i) => tp.mul_(1 - C.tau).add_(ps[i]!, { alpha: C.tau }));
        c.parameters().forEach((tp, i) => tp.lerp_(ps[i]!, C.tau));
      });
      const want = a.stateDict();
      for (const m of [b, c]) {
        for (const [k, v] of Object.entries(m.stateDict())) {
          const w = Array.from(want[k]!.dataSync(), Number);
          closeList(`soft update ${k}`, Array.from(v.dataSync(), Number), w, 1e-14, 1e-16);
        }
        assert.ok(m.parameters().every((p) => p.requiresGrad), "parameters still require grad");
      }
      // differs from the initial weights (the update did something)
      assert.ok(Math.abs(a.layer1.weight.sub(policy.layer1.weight).abs().sum().item()) > 1e-3);
      // outside noGrad, PyTorch's error
      assert.throws(() => a.layer1.weight.mul_(0.5), /mul_: a leaf Variable that requires grad is being used in an in-place operation/);
    }));
  });
}
