/**
 * Tensile side of the seq2seq port's checkpoint interop: trains test/port-seq2seq-program.ts's model
 * from PyTorch's initial weights (fixtures/port-seq2seq-init.pt) for the fixture's checkpoint steps on
 * the reference backend, and writes {model, optimizer, scheduler, plateau, epoch} with `saveTorchBytes` to
 * fixtures/port-seq2seq-tensile-ckpt.pt. PyTorch then reloads it and continues training:
 *
 *   node --import tsx tools/make-port-seq2seq-checkpoint.ts
 *   /usr/bin/python3 tools/gen-port-seq2seq-fixtures.py      # fills "from_tensile" in port-seq2seq.json
 *
 * test/port-seq2seq.test.ts requires the committed file to hold, to 1e-10, the state Tensile reaches
 * today on every backend (so PyTorch's check of it still applies), and torch's continuation from it
 * to match torch's own run. Deterministic: rerunning it writes the same bytes.
 */
import { writeFileSync } from "node:fs";
import { tensileCheckpointBytes } from "../test/port-seq2seq-program.js";

const path = new URL("../fixtures/port-seq2seq-tensile-ckpt.pt", import.meta.url);
const bytes: Uint8Array = tensileCheckpointBytes();
writeFileSync(path, bytes);
console.log(`wrote ${path.pathname} (${bytes.length} bytes)`);
