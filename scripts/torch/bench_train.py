"""Training throughput of burn-colorize's network re-written in PyTorch, for comparison.

The architectures mirror src/model/unet.rs and src/model/trunk_net.rs exactly (same layers, widths,
padding, head; the EfficientNet-Lite0 trunk with BatchNorm folded, frozen unless
--train-trunk) and the step mirrors src/train/run.rs (rebalanced soft cross-entropy over k=5
gathered classes, Adam), on synthetic batches, so the two numbers measure the frameworks rather
than the data pipeline.
Usage: python bench_train.py --size 64 --batch 32 --steps 20 [--arch unet|efficientnet-lite0]
       [--train-trunk] [--device cpu|cuda]
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


# EfficientNet-Lite0 blocks 0-10: (expand, kernel, stride, in, out), as src/model/trunk.rs.
BLOCKS = [(1, 3, 1, 32, 16), (6, 3, 2, 16, 24), (6, 3, 1, 24, 24), (6, 5, 2, 24, 40), (6, 5, 1, 40, 40),
          (6, 3, 2, 40, 80), (6, 3, 1, 80, 80), (6, 3, 1, 80, 80), (6, 5, 1, 80, 112), (6, 5, 1, 112, 112),
          (6, 5, 1, 112, 112)]


class SameConv(nn.Conv2d):
    """Conv with bias and TensorFlow 'SAME' padding (the extra pixel bottom/right)."""

    def forward(self, x):
        k, s = self.kernel_size[0], self.stride[0]
        h, w = x.shape[-2:]
        ph = max((-(-h // s) - 1) * s + k - h, 0)
        pw = max((-(-w // s) - 1) * s + k - w, 0)
        return super().forward(F.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2]))


class MbConv(nn.Module):
    def __init__(self, e, k, s, cin, cout):
        super().__init__()
        hidden = cin * e
        self.expand = SameConv(cin, hidden, 1) if e != 1 else None
        self.depthwise = SameConv(hidden, hidden, k, stride=s, groups=hidden)
        self.project = SameConv(hidden, cout, 1)
        self.residual = s == 1 and cin == cout

    def forward(self, x):
        h = F.relu6(self.expand(x)) if self.expand is not None else x
        h = self.project(F.relu6(self.depthwise(h)))
        return h + x if self.residual else h


class TrunkNet(nn.Module):
    def __init__(self, widths=(48, 96, 128), outputs=307):
        super().__init__()
        w4, w8, w16 = widths
        self.stem = SameConv(3, 32, 3, stride=2)
        self.blocks = nn.ModuleList([MbConv(*b) for b in BLOCKS])
        self.norms = nn.ModuleList([nn.BatchNorm2d(c) for c in (24, 40, 112)])
        self.bottom = stage(112 + 3, w16)
        self.linear = nn.Linear(w16, w16)
        self.fuse = nn.Conv2d(2 * w16, w16, 1)
        self.up8 = stage(w16 + 40 + 3, w8)
        self.up4 = stage(w8 + 24 + 3, w4)
        self.head = nn.Conv2d(w4, outputs, 1)

    def trunk(self):
        return [self.stem, self.blocks]

    def forward(self, x):
        hints = x[:, 1:4]
        t = F.relu6(self.stem(x[:, :1].expand(-1, 3, -1, -1)))
        taps = []
        for i, block in enumerate(self.blocks):
            t = block(t)
            if i in (2, 4, 10):
                taps.append(t)
        f4, f8, f16 = [norm(t) for norm, t in zip(self.norms, taps)]
        x = self.bottom(torch.cat([f16, F.avg_pool2d(hints, 16)], 1))
        g = F.relu(self.linear(x.mean(dim=(2, 3))))[:, :, None, None].expand_as(x)
        x = F.relu(self.fuse(torch.cat([x, g], 1)))
        up = lambda t: F.interpolate(t, scale_factor=2, mode="nearest")
        x = self.up8(torch.cat([up(x), f8, F.avg_pool2d(hints, 8)], 1))
        x = self.up4(torch.cat([up(x), f4, F.avg_pool2d(hints, 4)], 1))
        return self.head(x)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--classes", type=int, default=307)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--arch", default="unet", choices=["unet", "efficientnet-lite0"])
    parser.add_argument("--train-trunk", action="store_true")
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.manual_seed(0)
    if args.arch == "unet":
        net, stride = ColorNet(outputs=args.classes).to(device), 2
    else:
        net, stride = TrunkNet(outputs=args.classes).to(device), 4
        if not args.train_trunk:
            for part in net.trunk():
                part.requires_grad_(False)
    optim = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=1e-3)
    half = args.size // stride
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
