"""Training throughput of burn-colorize's network re-written in PyTorch, for comparison.

The architecture mirrors src/model.rs exactly (same layers, widths, padding, head) and the step
mirrors src/train/run.rs (rebalanced soft cross-entropy over k=5 gathered classes, Adam), on
synthetic batches, so the two numbers measure the frameworks rather than the data pipeline.
Usage: python bench_train.py --size 64 --batch 32 --steps 20 [--device cpu|cuda]
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def block(cin, cout, stride=1, dilation=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


def stage(cin, cout, stride=1, dilation=1):
    return nn.Sequential(block(cin, cout, stride, dilation), block(cout, cout, 1, dilation))


class ColorNet(nn.Module):
    def __init__(self, widths=(16, 32, 64, 128), outputs=307):
        super().__init__()
        w0, w1, w2, w3 = widths
        self.stem = stage(4, w0)
        self.down1 = stage(w0, w1, 2)
        self.down2 = stage(w1, w2, 2)
        self.down3 = stage(w2, w3, 2)
        self.middle = stage(w3, w3, 1, 2)
        self.linear = nn.Linear(w3, w3)
        self.fuse = nn.Conv2d(2 * w3, w3, 1)
        self.up2 = stage(w3 + w2, w2)
        self.up1 = stage(w2 + w1, w1)
        self.head = nn.Conv2d(w1, outputs, 1)

    def forward(self, x):
        x1 = self.down1(self.stem(x))
        x2 = self.down2(x1)
        x3 = self.middle(self.down3(x2))
        g = F.relu(self.linear(x3.mean(dim=(2, 3))))[:, :, None, None].expand_as(x3)
        x3 = F.relu(self.fuse(torch.cat([x3, g], 1)))
        y2 = self.up2(torch.cat([F.interpolate(x3, scale_factor=2, mode="nearest"), x2], 1))
        y1 = self.up1(torch.cat([F.interpolate(y2, scale_factor=2, mode="nearest"), x1], 1))
        return self.head(y1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--classes", type=int, default=307)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.manual_seed(0)
    net = ColorNet(outputs=args.classes).to(device)
    optim = torch.optim.Adam(net.parameters(), lr=1e-3)
    half = args.size // 2
    inputs = torch.randn(args.batch, 4, args.size, args.size, device=device)
    index = torch.randint(0, args.classes, (args.batch, 5, half, half), device=device)
    weight = torch.rand(args.batch, 5, half, half, device=device)

    def step():
        optim.zero_grad(set_to_none=True)
        logp = F.log_softmax(net(inputs), dim=1)
        loss = -(logp.gather(1, index) * weight).sum() / (args.batch * half * half)
        loss.backward()
        optim.step()
        return loss

    for _ in range(3):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(args.steps):
        loss = step()
    loss.item()
    if device.type == "cuda":
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - start
    print(f"RESULT pytorch {torch.__version__} {device.type} threads={torch.get_num_threads()} "
          f"images_per_second={args.steps * args.batch / elapsed:.1f}")


if __name__ == "__main__":
    main()
