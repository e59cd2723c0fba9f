"""PyTorch oracle for the seq2seq port (test/port-seq2seq.test.ts): a small encoder-decoder with
attention, written as PyTorch's "Translation with a Sequence to Sequence Network and Attention"
tutorial writes it, trained in float64 on a toy task made here: reverse a sequence of 2-6 digits.

Run from the repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-port-seq2seq-fixtures.py [--out DIR]

The program:
- vocabulary of 12: PAD=0, SOS=1, EOS=2, the digits 0-8 as 3..11; a source is padded with PAD, its
  target is the reversed source, then EOS, then PAD.
- Encoder: nn.Embedding(padding_idx=PAD) -> bidirectional nn.GRU(batch_first) over
  pack_padded_sequence(lengths, enforce_sorted=False), pad_packed_sequence(total_length=) back;
  the last hidden states of both directions through Linear + tanh.
- Decoder (the tutorial's AttnDecoderRNN with an LSTM): nn.Embedding(padding_idx=PAD) -> Bahdanau
  attention (Wa(query) + Ua(keys) -> tanh -> Va, padded keys masked_fill'ed with -inf, softmax,
  bmm) -> torch.cat -> one nn.LSTM(batch_first) step -> Linear; the steps' outputs torch.cat'ed
  and log_softmax'ed. Teacher forcing is decided per step from a list stored in the fixture (the
  tutorial draws it with random.random()); otherwise the next input is the output's topk(1).
- Loss nn.NLLLoss(ignore_index=PAD); SGD(lr, momentum=0.9, nesterov=True, weight_decay=1e-4);
  torch.nn.utils.clip_grad_value_; StepLR for the first STEPLR_STEPS steps, then ReduceLROnPlateau
  fed the validation loss, computed each step under torch.no_grad() in eval mode.
- After step CKPT_STEP: torch.save({model, optimizer, scheduler, plateau, epoch}) (port-seq2seq-ckpt.pt).
- At the end: greedy decoding of the validation sources in eval mode under no_grad.
A second, smaller run (LUONG_STEPS steps, "luong" in the JSON) swaps the decoder for the chatbot
tutorial's: an nn.GRUCell step, then Luong's "general" attention (bmm, masked_fill(~mask, -inf)) over
the new hidden state, Linear+tanh over [hidden, context], Linear, log_softmax per step; the loss is
the per-step NLLLoss summed over the steps and divided by their number; argmax feedback; plain SGD
with momentum and clip_grad_norm_ (the returned norms are recorded).
Dropout is off (p=0): its masks come from torch's generator, which Tensile cannot reproduce.

Writes into --out (default fixtures/):
  port-seq2seq-init.pt   the initial state dict (float64), torch.save
  port-seq2seq-ckpt.pt   the checkpoint after step CKPT_STEP, torch.save
  port-seq2seq.json      the batches, teacher-forcing lists, validation set, each step's loss,
                         validation loss and learning rate, the final weights, the greedy decodings,
                         and torch's continuation from Tensile's own checkpoint (below)

Tensile's checkpoint: test/port-seq2seq.test.ts saves, with saveTorch, the same dict after step
CKPT_STEP of its own run (reference backend). `node --import tsx tools/make-port-seq2seq-checkpoint.ts`
writes it to fixtures/port-seq2seq-tensile-ckpt.pt. If that file exists, this script loads it with
torch.load into a fresh model, optimizer and schedulers and runs the remaining steps: the losses,
learning rates and final weights go into the JSON under "from_tensile" (null when the file is
missing). The test checks that the committed file holds, to 1e-10, the state Tensile reaches today
and that torch's continuation from it matches torch's own. Order, when the model or program changes: this script,
then the .ts writer, then this script again.
"""
import argparse
import os
import random
import sys
import warnings

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
warnings.filterwarnings("ignore")

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence  # noqa: E402
from torchfix.fixio import enc, write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
torch.set_num_threads(1)

PAD, SOS, EOS = 0, 1, 2
VOCAB, EMB, HID = 12, 8, 10
BATCH, STEPS, CKPT_STEP, STEPLR_STEPS = 5, 25, 12, 10
MIN_LEN, MAX_LEN, DECODE_LEN = 2, 6, 8
LR, CLIP = 3.0, 0.05
LUONG_STEPS = 8


class EncoderRNN(nn.Module):
    def __init__(self, vocab, emb, hid, dropout_p=0.0):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb, padding_idx=PAD)
        self.gru = nn.GRU(emb, hid, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * hid, hid)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, src, lengths):
        embedded = self.dropout(self.embedding(src))
        packed = pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
        self.gru.flatten_parameters()
        packed_out, hidden = self.gru(packed)
        outputs, _ = pad_packed_sequence(packed_out, batch_first=True, total_length=src.size(1))
        hidden = torch.tanh(self.fc(torch.cat((hidden[-2], hidden[-1]), dim=1)))
        return outputs, hidden


class BahdanauAttention(nn.Module):
    def __init__(self, hid):
        super().__init__()
        self.Wa = nn.Linear(hid, hid)
        self.Ua = nn.Linear(2 * hid, hid)
        self.Va = nn.Linear(hid, 1)

    def forward(self, query, keys, mask):
        scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys)))
        scores = scores.squeeze(2).unsqueeze(1)
        scores = scores.masked_fill(mask.unsqueeze(1) == 0, float("-inf"))
        weights = F.softmax(scores, dim=-1)
        context = torch.bmm(weights, keys)
        return context, weights


class AttnDecoderRNN(nn.Module):
    def __init__(self, vocab, emb, hid, dropout_p=0.0):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb, padding_idx=PAD)
        self.attention = BahdanauAttention(hid)
        self.lstm = nn.LSTM(emb + 2 * hid, hid, batch_first=True)
        self.out = nn.Linear(hid, vocab)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, encoder_outputs, encoder_hidden, mask, target, teacher_forcing, steps):
        batch_size = encoder_outputs.size(0)
        decoder_input = torch.full((batch_size, 1), SOS, dtype=torch.long)
        hidden = (encoder_hidden.unsqueeze(0), torch.zeros_like(encoder_hidden).unsqueeze(0))
        outputs, attentions = [], []
        for t in range(steps):
            output, hidden, attn = self.forward_step(decoder_input, hidden, encoder_outputs, mask)
            outputs.append(output)
            attentions.append(attn)
            if target is not None and teacher_forcing[t]:
                decoder_input = target[:, t].unsqueeze(1)
            else:
                _, topi = output.topk(1)
                decoder_input = topi.squeeze(-1).detach()
        outputs = F.log_softmax(torch.cat(outputs, dim=1), dim=-1)
        return outputs, hidden, torch.cat(attentions, dim=1)

    def forward_step(self, input, hidden, encoder_outputs, mask):
        embedded = self.dropout(self.embedding(input))
        query = hidden[0].permute(1, 0, 2)
        context, attn_weights = self.attention(query, encoder_outputs, mask)
        output, hidden = self.lstm(torch.cat((embedded, context), dim=2), hidden)
        return self.out(output), hidden, attn_weights


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = EncoderRNN(VOCAB, EMB, HID)
        self.decoder = AttnDecoderRNN(VOCAB, EMB, HID)

    def forward(self, src, lengths, target=None, teacher_forcing=None, steps=None):
        encoder_outputs, encoder_hidden = self.encoder(src, lengths)
        mask = src != PAD
        steps = target.size(1) if steps is None else steps
        return self.decoder(encoder_outputs, encoder_hidden, mask, target, teacher_forcing, steps)


class LuongAttention(nn.Module):
    """Luong's "general" score: h · W·k for each key, by bmm."""
    def __init__(self, hid):
        super().__init__()
        self.W = nn.Linear(2 * hid, hid, bias=False)

    def forward(self, hidden, keys, mask):
        scores = torch.bmm(self.W(keys), hidden.unsqueeze(2)).squeeze(2)
        scores = scores.masked_fill(~mask, float("-inf"))
        weights = F.softmax(scores, dim=1)
        return torch.bmm(weights.unsqueeze(1), keys).squeeze(1), weights


class LuongDecoder(nn.Module):
    """The chatbot tutorial's decoder step, with a GRUCell: the attention reads the new hidden state."""
    def __init__(self, vocab, emb, hid):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb, padding_idx=PAD)
        self.cell = nn.GRUCell(emb, hid)
        self.attention = LuongAttention(hid)
        self.concat = nn.Linear(3 * hid, hid)
        self.out = nn.Linear(hid, vocab)

    def forward(self, input, hidden, keys, mask):
        hidden = self.cell(self.embedding(input), hidden)
        context, weights = self.attention(hidden, keys, mask)
        concat_output = torch.tanh(self.concat(torch.cat((hidden, context), 1)))
        return F.log_softmax(self.out(concat_output), dim=1), hidden, weights


class LuongSeq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = EncoderRNN(VOCAB, EMB, HID)
        self.decoder = LuongDecoder(VOCAB, EMB, HID)

    def forward(self, src, lengths, target, teacher_forcing, criterion):
        """The summed per-step loss over the target's length, averaged over the steps."""
        keys, hidden = self.encoder(src, lengths)
        mask = src != PAD
        decoder_input = torch.full((src.size(0),), SOS, dtype=torch.long)
        loss = 0
        for t in range(target.size(1)):
            output, hidden, _ = self.decoder(decoder_input, hidden, keys, mask)
            loss = loss + criterion(output, target[:, t])
            decoder_input = target[:, t] if teacher_forcing[t] else output.argmax(1)
        return loss / target.size(1)


def luong_run(batches, tfs):
    """LUONG_STEPS steps of the GRUCell/Luong variant with plain SGD (momentum 0.9) and clip_grad_norm_."""
    torch.manual_seed(1)
    model = LuongSeq2Seq().double()
    init = {k: enc(v) for k, v in model.state_dict().items()}
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.9)
    criterion = nn.NLLLoss(ignore_index=PAD)
    losses, norms = [], []
    for step in range(LUONG_STEPS):
        src, lengths, tgt = batches[step]
        optimizer.zero_grad()
        loss = model(src, lengths, tgt, tfs[step], criterion)
        loss.backward()
        norms.append(torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5).item())
        optimizer.step()
        losses.append(loss.item())
    return {"init": init, "losses": losses, "grad_norms": norms,
            "final_weights": {k: enc(v) for k, v in model.state_dict().items()}}


def make_batch(rng, n):
    """n random digit sequences: (src [n, S] padded, lengths [n], target [n, S + 1] padded)."""
    seqs = [[3 + rng.randrange(9) for _ in range(rng.randint(MIN_LEN, MAX_LEN))] for _ in range(n)]
    width = max(len(s) for s in seqs)
    src = torch.full((n, width), PAD, dtype=torch.long)
    tgt = torch.full((n, width + 1), PAD, dtype=torch.long)
    for i, s in enumerate(seqs):
        src[i, :len(s)] = torch.tensor(s)
        tgt[i, :len(s) + 1] = torch.tensor(s[::-1] + [EOS])
    return src, torch.tensor([len(s) for s in seqs]), tgt


def build():
    torch.manual_seed(0)
    model = Seq2Seq().double()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9, nesterov=True, weight_decay=1e-4)
    step_lr = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.7)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=0,
                                                         threshold=0.005, cooldown=1, min_lr=0.01)
    return model, optimizer, step_lr, plateau


def validation_loss(model, criterion, val):
    src, lengths, tgt = val
    model.eval()
    with torch.no_grad():
        out, _, _ = model(src, lengths, tgt, [True] * tgt.size(1))
        loss = criterion(out.reshape(-1, VOCAB), tgt.reshape(-1))
    model.train()
    return loss.item()


def train_steps(model, optimizer, step_lr, plateau, batches, tfs, val, first, last):
    """Steps first..last (1-based, inclusive); returns per-step loss, validation loss, lr."""
    criterion = nn.NLLLoss(ignore_index=PAD)
    losses, val_losses, lrs = [], [], []
    model.train()
    for step in range(first, last + 1):
        src, lengths, tgt = batches[step - 1]
        optimizer.zero_grad()
        out, _, _ = model(src, lengths, tgt, tfs[step - 1])
        loss = criterion(out.reshape(-1, VOCAB), tgt.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_value_(model.parameters(), CLIP)
        optimizer.step()
        vloss = validation_loss(model, criterion, val)
        if step <= STEPLR_STEPS:
            step_lr.step()
        else:
            plateau.step(vloss)
        losses.append(loss.item())
        val_losses.append(vloss)
        lrs.append(optimizer.param_groups[0]["lr"])
    return losses, val_losses, lrs


def greedy(model, val):
    src, lengths, _ = val
    model.eval()
    with torch.no_grad():
        out, _, attn = model(src, lengths, None, None, DECODE_LEN)
    model.train()
    return out.argmax(-1), out, attn


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    out_dir = ap.parse_args().out
    os.makedirs(out_dir, exist_ok=True)

    rng = random.Random(1234)
    batches = [make_batch(rng, BATCH) for _ in range(STEPS)]
    val = make_batch(rng, 6)
    tfs = []
    for src, _, tgt in batches:
        tfs.append([rng.random() < 0.6 for _ in range(tgt.size(1))])

    model, optimizer, step_lr, plateau = build()
    init_sd = {k: v.clone() for k, v in model.state_dict().items()}
    torch.save(init_sd, os.path.join(out_dir, "port-seq2seq-init.pt"))
    init_out = model(*batches[0][:2], batches[0][2], tfs[0])[0]

    losses, val_losses, lrs = train_steps(model, optimizer, step_lr, plateau, batches, tfs, val, 1, CKPT_STEP)
    ckpt = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": step_lr.state_dict(),
            "plateau": plateau.state_dict(), "epoch": CKPT_STEP}
    torch.save(ckpt, os.path.join(out_dir, "port-seq2seq-ckpt.pt"))
    ckpt_weights = {k: enc(v) for k, v in model.state_dict().items()}
    l2, v2, r2 = train_steps(model, optimizer, step_lr, plateau, batches, tfs, val, CKPT_STEP + 1, STEPS)
    tokens, logp, attn = greedy(model, val)

    # torch's continuation from the checkpoint Tensile wrote (if committed)
    from_tensile = None
    tpath = os.path.join(ROOT, "fixtures", "port-seq2seq-tensile-ckpt.pt")
    if os.path.exists(tpath):
        t = torch.load(tpath)
        m2, o2, s2, p2 = build()
        m2.load_state_dict(t["model"], strict=True)
        o2.load_state_dict(t["optimizer"])
        s2.load_state_dict(t["scheduler"])
        p2.load_state_dict(t["plateau"])
        tl, tv, tr = train_steps(m2, o2, s2, p2, batches, tfs, val, t["epoch"] + 1, STEPS)
        from_tensile = {"epoch": t["epoch"], "keys": sorted(t.keys()), "losses": tl, "val_losses": tv, "lrs": tr,
                        "weights": {k: enc(v) for k, v in m2.state_dict().items()},
                        "optimizer_lr": o2.param_groups[0]["lr"], "plateau_best": p2.best,
                        "dtypes": sorted({str(v.dtype) for v in t["model"].values()})}

    write_json(out_dir, "port-seq2seq.json", {
        "config": {"pad": PAD, "sos": SOS, "eos": EOS, "vocab": VOCAB, "emb": EMB, "hid": HID, "steps": STEPS,
                   "ckpt_step": CKPT_STEP, "steplr_steps": STEPLR_STEPS, "decode_len": DECODE_LEN, "lr": LR,
                   "clip": CLIP},
        "batches": [{"src": enc(s), "lengths": enc(n), "tgt": enc(t)} for s, n, t in batches],
        "teacher_forcing": tfs,
        "val": {"src": enc(val[0]), "lengths": enc(val[1]), "tgt": enc(val[2])},
        "init_out": enc(init_out),
        "losses": losses + l2, "val_losses": val_losses + v2, "lrs": lrs + r2,
        "ckpt_weights": ckpt_weights,
        "final_weights": {k: enc(v) for k, v in model.state_dict().items()},
        "final_momentum": [enc(optimizer.state[p]["momentum_buffer"]) for p in model.parameters()],
        "plateau_final": {"best": p2_num(plateau.best), "num_bad_epochs": plateau.num_bad_epochs,
                          "cooldown_counter": plateau.cooldown_counter},
        "greedy": {"tokens": enc(tokens), "log_probs": enc(logp), "attention": enc(attn)},
        "from_tensile": from_tensile,
        "luong": luong_run(batches, tfs),
    })


def p2_num(v):
    return v if v not in (float("inf"), float("-inf")) else str(v)


if __name__ == "__main__":
    main()
