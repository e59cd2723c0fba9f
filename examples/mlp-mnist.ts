/**
 * The text's program, line for line: a fully connected network 784 → 500 → 10 trained on MNIST
 * digits with cross-entropy and plain gradient descent (SGD, lr = 0.01).
 *
 *   npx tsx examples/mlp-mnist.ts            (or: npm run build && node dist/... for speed)
 *
 * The PyTorch original is in the comments on the right of each line.
 */
import { type Tensor, manualSeed, noGrad, nn, optim, data, save, setBackend, listBackends } from "../src/index.js";

if (listBackends().includes("wasm")) setBackend("wasm"); // the fast CPU backend, when built

manualSeed(0);                                                     // torch.manual_seed(0)

// A neuron computes w·x + b; a fully connected (Linear) layer is many neurons side by side,
// holding a weight matrix W [out, in] and a bias vector b [out].
class Net extends nn.Module {                                      // class Net(nn.Module):
  fc1 = new nn.Linear(784, 500);                                   //   self.fc1 = nn.Linear(784, 500)
  relu = new nn.ReLU();                                            //   self.relu = nn.ReLU()
  fc2 = new nn.Linear(500, 10);                                    //   self.fc2 = nn.Linear(500, 10)

  // Forward propagation: input → weighted sums → activation → weighted sums → one score per class.
  override forward(x: Tensor): Tensor {                            //   def forward(self, x):
    return this.fc2.forward(this.relu.forward(this.fc1.forward(x))); //   return self.fc2(self.relu(self.fc1(x)))
  }
}

const trainSet = new data.datasets.MNISTDigits({ split: "train" });  // 8,000 of the bundled digits
const testSet = new data.datasets.MNISTDigits({ split: "test" });    // the other 2,000
const trainLoader = new data.DataLoader(trainSet, { batchSize: 64, shuffle: true }); // DataLoader(train, 64, shuffle=True)

const model = new Net();                                           // model = Net()
const criterion = new nn.CrossEntropyLoss();                       // criterion = nn.CrossEntropyLoss()
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 }); // optimizer = optim.SGD(model.parameters(), lr=0.01)

const epochs = Number(process.env.EPOCHS ?? 5);
for (let epoch = 0; epoch < epochs; epoch++) {                     // for epoch in range(epochs):
  let total = 0, batches = 0;
  for (const [images, labels] of trainLoader) {                    //   for images, labels in train_loader:
    optimizer.zeroGrad();                                          //     optimizer.zero_grad()   — forget the last step's gradients
    const outputs = model.forward(images);                         //     outputs = model(images) — the forward pass
    const loss = criterion.forward(outputs, labels);               //     loss = criterion(outputs, labels) — how wrong we are
    loss.backward();                                               //     loss.backward()         — the chain rule, layer by layer
    optimizer.step();                                              //     optimizer.step()        — w ← w − lr · ∂loss/∂w
    total += loss.item();
    batches++;
  }
  // Evaluation: no gradients needed, so noGrad skips recording the graph.
  const correct = noGrad(() => {                                   // with torch.no_grad():
    const predicted = model.forward(testSet.data).argmax(1);       //   _, predicted = torch.max(model(x), 1)
    return predicted.eq(testSet.targets).sum().item();             //   correct = (predicted == y).sum().item()
  });
  console.log(`epoch ${epoch + 1}: train loss ${(total / batches).toFixed(4)}, test accuracy ${((100 * correct) / testSet.length).toFixed(2)}%`);
}

save(model.stateDict(), "mlp-mnist.safetensors");                  // torch.save(model.state_dict(), ...) — safetensors, readable by PyTorch
console.log("saved weights to mlp-mnist.safetensors");
