#!/usr/bin/python3
"""PyTorch oracle for the reinforcement-learning port (test/port-rl.test.ts): writes fixtures/port-rl.json,
port-rl-dqn-init.pt, port-rl-ac-init.pt and port-rl-ac-ckpt.pt.

Run with Debian's torch 1.13 (`/usr/bin/python3 tools/gen-port-rl-fixtures.py [--out DIR]`;
deterministic: the same bytes on every run).

Two programs as the PyTorch tutorials write them, in float64 (torch.set_default_dtype(torch.float64)
at the top, as a user converting a float32 program would), on a tiny deterministic environment that
the Tensile side writes identically: a corridor of N cells, the agent starts in cell START, action 0
steps left, 1 right; reaching the right end pays +1 and ends the episode, the left end pays -1 and
ends it, any other step costs 0.1; an episode is truncated after MAX_T steps. The observation is
the one-hot cell plus the normalised position.

1. DQN (the "Reinforcement Learning (DQN) Tutorial"), twice:
   - "hard" (the tutorial's first form): RMSprop, the target net a copy made by
     target_net.load_state_dict(policy_net.state_dict()) at the start and every TARGET_EVERY steps,
     target_net.eval(), next-state values target_net(...).max(1)[0].detach(), F.smooth_l1_loss,
     param.grad.data.clamp_(-1, 1);
   - "soft" (its current form): AdamW(amsgrad=True), next-state values under no_grad with
     .max(1).values, nn.SmoothL1Loss, clip_grad_value_(…, 100), and after every step the soft update
     tp.data.copy_(TAU * p.data + (1 - TAU) * tp.data) over zip(target.parameters(),
     policy.parameters()); after the run one more soft update in the tutorial's state-dict form.
   Both: an MLP policy and target net, Q(s, a) by gather(1, action_batch), a terminal mask that
   writes next-state values by next_state_values[non_final_mask] = …, epsilon-greedy actions,
   a replay memory. Exploration's uniform numbers, the random actions and the replay memory's
   sampled indices are drawn here with Python's random and written out (inputs of the Tensile side).
   Recorded: every env step's action and Q(state, ·), every update's loss, Q(s, a) and next-state
   values, the final weights of both nets and the optimizer's final state dict.
2. Actor-critic (pytorch/examples reinforcement_learning), twice:
   - "reinforce" (reinforce.py): a policy head → softmax → Categorical(probs), loss
     -Σ log_prob · R with the discounted returns computed by a reversed loop and normalised with
     (R - mean) / (std + eps), Adam;
   - "actorCritic" (actor_critic.py): a shared body, an action head → Categorical(logits=…) and a value
     head; advantage R - value.item(), policy loss -Σ log_prob · advantage, the value head trained
     with F.mse_loss, an entropy bonus; Adam. A checkpoint {model, optimizer} after CKPT_AT updates
     (port-rl-ac-ckpt.pt) that the Tensile side resumes from.
   The actions are sampled here with torch's generator (m.sample()) and written out: the Tensile side
   takes them as given and computes log_prob of those actions.
"""
import argparse
import math
import os
import random
import sys
from collections import deque, namedtuple

sys.dont_write_bytecode = True

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torch.optim as optim  # noqa: E402
from torch.distributions import Categorical  # noqa: E402

from torchfix.fixio import enc, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = {"generator": "tools/gen-port-rl-fixtures.py", "torch": torch.__version__}

N_CELLS, START, MAX_T = 6, 2, 8
N_OBS, N_ACT = N_CELLS + 1, 2
# DQN
HIDDEN = 16
BATCH_SIZE, GAMMA, CAPACITY = 8, 0.9, 1000
EPS_START, EPS_END, EPS_DECAY = 0.9, 0.05, 12
TOTAL_STEPS = 32  # environment steps; optimisation starts once the memory holds BATCH_SIZE transitions
TARGET_EVERY = 5
TAU, LR = 0.1, 1e-2
# actor-critic
AC_HIDDEN, AC_GAMMA, AC_LR = 12, 0.95, 3e-2
EPS = torch.finfo(torch.float32).eps  # the examples' np.finfo(np.float32).eps.item()
ENTROPY_COEF = 0.01
REINFORCE_UPDATES, AC_UPDATES, CKPT_AT = 10, 20, 12


class Corridor:
    """Cells 0..N_CELLS-1; the ends are terminal (+1 on the right, -1 on the left)."""

    def reset(self):
        self.pos, self.t = START, 0
        return self.obs()

    def obs(self):
        o = [0.0] * N_OBS
        o[self.pos] = 1.0
        o[N_CELLS] = self.pos / (N_CELLS - 1)
        return o

    def step(self, action):
        self.pos += 1 if action == 1 else -1
        self.t += 1
        terminated = self.pos in (0, N_CELLS - 1)
        reward = 1.0 if self.pos == N_CELLS - 1 else -1.0 if self.pos == 0 else -0.1
        truncated = not terminated and self.t >= MAX_T
        return self.obs(), reward, terminated, truncated


# ---------------------------------------------------------------- DQN

Transition = namedtuple("Transition", ("state", "action", "next_state", "reward"))


class ReplayMemory:
    def __init__(self, capacity, rng):
        self.memory = deque([], maxlen=capacity)
        self.rng = rng
        self.sampled = []  # the indices each sample drew (an input of the Tensile side)

    def push(self, *args):
        self.memory.append(Transition(*args))

    def sample(self, batch_size):
        idx = self.rng.sample(range(len(self.memory)), batch_size)  # random.sample(self.memory, n), indices kept
        self.sampled.append(idx)
        return [self.memory[i] for i in idx]

    def __len__(self):
        return len(self.memory)


class DQN(nn.Module):
    def __init__(self, n_observations, n_actions):
        super().__init__()
        self.layer1 = nn.Linear(n_observations, HIDDEN)
        self.layer2 = nn.Linear(HIDDEN, HIDDEN)
        self.layer3 = nn.Linear(HIDDEN, n_actions)

    def forward(self, x):
        x = F.relu(self.layer1(x))
        x = F.relu(self.layer2(x))
        return self.layer3(x)


def run_dqn(variant, init_sd, seed):
    rng = random.Random(seed)
    env = Corridor()
    policy_net = DQN(N_OBS, N_ACT)
    policy_net.load_state_dict(init_sd)
    target_net = DQN(N_OBS, N_ACT)
    target_net.load_state_dict(policy_net.state_dict())
    if variant == "hard":
        target_net.eval()
        optimizer = optim.RMSprop(policy_net.parameters(), lr=LR)
    else:
        optimizer = optim.AdamW(policy_net.parameters(), lr=LR, amsgrad=True)
    memory = ReplayMemory(CAPACITY, rng)
    rec = {"explore": [], "randomActions": [], "actions": [], "losses": [], "q": [], "nextValues": [], "greedyQ": []}
    steps_done = 0

    def select_action(state):
        nonlocal steps_done
        sample = rng.random()
        random_action = rng.randrange(N_ACT)  # env.action_space.sample(), drawn every step
        rec["explore"].append(sample)
        rec["randomActions"].append(random_action)
        eps_threshold = EPS_END + (EPS_START - EPS_END) * math.exp(-1.0 * steps_done / EPS_DECAY)
        steps_done += 1
        with torch.no_grad():
            q = policy_net(state)
        rec["greedyQ"].append(q[0].tolist())
        if sample > eps_threshold:
            with torch.no_grad():
                return policy_net(state).max(1)[1].view(1, 1)
        return torch.tensor([[random_action]], dtype=torch.long)

    def optimize_model():
        if len(memory) < BATCH_SIZE:
            return
        transitions = memory.sample(BATCH_SIZE)
        batch = Transition(*zip(*transitions))
        non_final_mask = torch.tensor(tuple(map(lambda s: s is not None, batch.next_state)), dtype=torch.bool)
        non_final_next_states = torch.cat([s for s in batch.next_state if s is not None])
        state_batch = torch.cat(batch.state)
        action_batch = torch.cat(batch.action)
        reward_batch = torch.cat(batch.reward)
        state_action_values = policy_net(state_batch).gather(1, action_batch)
        next_state_values = torch.zeros(BATCH_SIZE)
        if variant == "hard":
            next_state_values[non_final_mask] = target_net(non_final_next_states).max(1)[0].detach()
        else:
            with torch.no_grad():
                next_state_values[non_final_mask] = target_net(non_final_next_states).max(1).values
        expected_state_action_values = (next_state_values * GAMMA) + reward_batch
        if variant == "hard":
            loss = F.smooth_l1_loss(state_action_values, expected_state_action_values.unsqueeze(1))
        else:
            criterion = nn.SmoothL1Loss()
            loss = criterion(state_action_values, expected_state_action_values.unsqueeze(1))
        optimizer.zero_grad()
        loss.backward()
        if variant == "hard":
            for param in policy_net.parameters():
                param.grad.data.clamp_(-1, 1)
        else:
            torch.nn.utils.clip_grad_value_(policy_net.parameters(), 100)
        optimizer.step()
        rec["losses"].append(loss.item())
        rec["q"].append(state_action_values.squeeze(1).tolist())
        rec["nextValues"].append(next_state_values.tolist())

    while steps_done < TOTAL_STEPS:
        state = torch.tensor(env.reset()).unsqueeze(0)
        while steps_done < TOTAL_STEPS:
            action = select_action(state)
            rec["actions"].append(action.item())
            observation, reward, terminated, truncated = env.step(action.item())
            reward = torch.tensor([reward])
            done = terminated or truncated
            next_state = None if terminated else torch.tensor(observation).unsqueeze(0)
            memory.push(state, action, next_state, reward)
            state = next_state
            optimize_model()
            if variant == "hard":
                if steps_done % TARGET_EVERY == 0:
                    target_net.load_state_dict(policy_net.state_dict())
            else:
                with torch.no_grad():
                    for tp, p in zip(target_net.parameters(), policy_net.parameters()):
                        tp.data.copy_(TAU * p.data + (1 - TAU) * tp.data)
            if done:
                break
    rec["sampled"] = memory.sampled
    opt_sd = optimizer.state_dict()
    rec["optimizer"] = {
        "state": {str(i): {k: enc(v) if torch.is_tensor(v) else v for k, v in st.items()} for i, st in opt_sd["state"].items()},
        "param_groups": [{k: list(v) if isinstance(v, tuple) else v for k, v in g.items()} for g in opt_sd["param_groups"]],
    }
    rec["policy"] = {k: enc(v) for k, v in policy_net.state_dict().items()}
    rec["target"] = {k: enc(v) for k, v in target_net.state_dict().items()}
    if variant == "soft":
        # the tutorial's current form of the soft update, through the state dicts
        target_net_state_dict = target_net.state_dict()
        policy_net_state_dict = policy_net.state_dict()
        for key in policy_net_state_dict:
            target_net_state_dict[key] = policy_net_state_dict[key] * TAU + target_net_state_dict[key] * (1 - TAU)
        target_net.load_state_dict(target_net_state_dict)
        rec["targetAfterStateDictUpdate"] = {k: enc(v) for k, v in target_net.state_dict().items()}
    return rec


# ---------------------------------------------------------------- REINFORCE / actor-critic

SavedAction = namedtuple("SavedAction", ["log_prob", "value"])


class Policy(nn.Module):
    """actor_critic.py's Policy, with logits out (Categorical(logits=…)); reinforce.py's uses the
    action head alone, through softmax (Categorical(probs))."""

    def __init__(self):
        super().__init__()
        self.affine1 = nn.Linear(N_OBS, AC_HIDDEN)
        self.action_head = nn.Linear(AC_HIDDEN, N_ACT)
        self.value_head = nn.Linear(AC_HIDDEN, 1)
        self.saved_actions = []
        self.rewards = []
        self.entropies = []

    def forward(self, x):
        x = F.relu(self.affine1(x))
        return self.action_head(x), self.value_head(x)


def run_ac(variant, init_sd, updates, ckpt_path=None):
    env = Corridor()
    model = Policy()
    model.load_state_dict(init_sd)
    optimizer = optim.Adam(model.parameters(), lr=AC_LR)
    torch.manual_seed(7 if variant == "reinforce" else 11)  # m.sample()'s draws (given to the Tensile side)
    rec = {"episodes": [], "losses": [], "policyLosses": [], "valueLosses": [], "entropies": [], "returns": []}

    def select_action(state):
        state = torch.tensor(state)
        logits, state_value = model(state)
        if variant == "reinforce":
            m = Categorical(F.softmax(logits, dim=-1))
        else:
            m = Categorical(logits=logits)
        action = m.sample()
        model.saved_actions.append(SavedAction(m.log_prob(action), state_value))
        model.entropies.append(m.entropy())
        return action.item()

    def finish_episode():
        R = 0
        saved_actions = model.saved_actions
        policy_losses = []
        value_losses = []
        returns = []
        for r in model.rewards[::-1]:
            R = r + AC_GAMMA * R
            returns.insert(0, R)
        returns = torch.tensor(returns)
        returns = (returns - returns.mean()) / (returns.std() + EPS)
        for (log_prob, value), R in zip(saved_actions, returns):
            if variant == "reinforce":
                policy_losses.append(-log_prob * R)
            else:
                advantage = R - value.item()
                policy_losses.append(-log_prob * advantage)
                value_losses.append(F.mse_loss(value, torch.tensor([R])))
        entropy = torch.stack(model.entropies).sum()
        policy_loss = torch.stack(policy_losses).sum()
        if variant == "reinforce":
            loss = policy_loss
        else:
            value_loss = torch.stack(value_losses).sum()
            loss = policy_loss + value_loss - ENTROPY_COEF * entropy
            rec["valueLosses"].append(value_loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        rec["losses"].append(loss.item())
        rec["policyLosses"].append(policy_loss.item())
        rec["entropies"].append(entropy.item())
        rec["returns"].append(returns.tolist())
        del model.rewards[:]
        del model.saved_actions[:]
        del model.entropies[:]

    for i_episode in range(updates):
        state = env.reset()
        actions = []
        while True:
            action = select_action(state)
            actions.append(action)
            state, reward, terminated, truncated = env.step(action)
            model.rewards.append(reward)
            if terminated or truncated:
                break
        rec["episodes"].append(actions)
        finish_episode()
        if ckpt_path is not None and i_episode + 1 == CKPT_AT:
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, ckpt_path)
            print("wrote", os.path.relpath(ckpt_path), os.path.getsize(ckpt_path), "bytes")
    rec["final"] = {k: enc(v) for k, v in model.state_dict().items()}
    return rec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    out_dir = ap.parse_args().out
    os.makedirs(out_dir, exist_ok=True)
    torch.set_default_dtype(torch.float64)

    torch.manual_seed(0)
    dqn_init = DQN(N_OBS, N_ACT).state_dict()
    path = os.path.join(out_dir, "port-rl-dqn-init.pt")
    torch.save(dqn_init, path)
    print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes")
    torch.manual_seed(1)
    ac_init = Policy().state_dict()
    path = os.path.join(out_dir, "port-rl-ac-init.pt")
    torch.save(ac_init, path)
    print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes")

    dqn = {"hard": run_dqn("hard", dqn_init, 5), "soft": run_dqn("soft", dqn_init, 6)}
    ac = {
        "reinforce": run_ac("reinforce", ac_init, REINFORCE_UPDATES),
        "actorCritic": run_ac("actorCritic", ac_init, AC_UPDATES, os.path.join(out_dir, "port-rl-ac-ckpt.pt")),
    }
    write_json(out_dir, "port-rl.json", {
        **HEADER,
        "config": {"nCells": N_CELLS, "start": START, "maxT": MAX_T, "hidden": HIDDEN, "batchSize": BATCH_SIZE,
                   "gamma": GAMMA, "capacity": CAPACITY, "epsStart": EPS_START, "epsEnd": EPS_END, "epsDecay": EPS_DECAY,
                   "totalSteps": TOTAL_STEPS, "targetEvery": TARGET_EVERY, "tau": TAU, "lr": LR,
                   "acHidden": AC_HIDDEN, "acGamma": AC_GAMMA, "acLr": AC_LR, "eps": EPS, "entropyCoef": ENTROPY_COEF,
                   "ckptAt": CKPT_AT},
        "dqn": dqn,
        "ac": ac,
        # torch.finfo / torch.iinfo, which the Tensile side's eps comes from
        "finfo": {str(d).replace("torch.", ""): {"bits": f.bits, "eps": f.eps, "max": f.max, "min": f.min, "tiny": f.tiny,
                                                 "smallestNormal": f.smallest_normal, "resolution": f.resolution}
                  for d in (torch.float32, torch.float64) for f in [torch.finfo(d)]},
        "iinfo": {"int32": {"bits": torch.iinfo(torch.int32).bits, "max": torch.iinfo(torch.int32).max, "min": torch.iinfo(torch.int32).min}},
    })


if __name__ == "__main__":
    main()
