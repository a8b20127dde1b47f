"""EfficientNet-Lite0 and -Lite2 in plain PyTorch, loading efficientnet-lite0-57934424.pth or
efficientnet-lite2-9656183e.pth: the reference the Rust trunks are checked against
(tests/fixtures/trunk_reference.json and trunk_reference_lite2.json).

Written from the paper and the TensorFlow reference (ReLU6, no squeeze-excite, BatchNorm
epsilon 1e-3, TensorFlow 'SAME' padding, input (x - 127) / 128), independently of the Rust
port: BatchNorm is kept as BatchNorm here, not folded.

    python scripts/torch/efficientnet_lite.py PTH --fixture OUT.json   # write the fixture
    python scripts/torch/efficientnet_lite.py PTH --classify photo.jpg  # top-5 ImageNet classes
    (add --arch lite2 for the Lite2 checkpoint)
"""
import argparse, json, math

import torch
import torch.nn.functional as F

# (expand, kernel, stride, in, out, repeats) per stage, and the blocks the decoder taps (the last
# before each stride-2 block, and the last at stride 16)
ARCHS = {
    "lite0": ([(1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2), (6, 3, 2, 40, 80, 3),
               (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4), (6, 3, 1, 192, 320, 1)], (0, 2, 4, 10)),
    # Lite2: width 1.1 and depth 1.2 of Lite0's, first and last stage not deepened
    "lite2": ([(1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 3), (6, 5, 2, 24, 48, 3), (6, 3, 2, 48, 88, 4),
               (6, 5, 1, 88, 120, 4), (6, 5, 2, 120, 208, 5), (6, 3, 1, 208, 352, 1)], (0, 3, 6, 14)),
}
EPS = 1e-3


def blocks(stages):
    for e, k, s, i, o, r in stages:
        for j in range(r):
            yield (e, k, s if j == 0 else 1, i if j == 0 else o, o)


def same_pad(x, k, s):
    """TensorFlow 'SAME': output = ceil(in / s); the odd pixel of padding goes bottom/right."""
    h, w = x.shape[-2:]
    ph = max((math.ceil(h / s) - 1) * s + k - h, 0)
    pw = max((math.ceil(w / s) - 1) * s + k - w, 0)
    return F.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2])


class Lite:
    def __init__(self, path, arch="lite0"):
        self.sd = torch.load(path, map_location="cpu", weights_only=False)
        self.stages, self.taps = ARCHS[arch]

    def conv_bn(self, x, conv, bn, stride=1, groups=1, act=True):
        w = self.sd[conv + ".weight"]
        x = F.conv2d(same_pad(x, w.shape[-1], stride), w, None, stride, 0, 1, groups)
        x = F.batch_norm(x, self.sd[bn + ".running_mean"], self.sd[bn + ".running_var"],
                         self.sd[bn + ".weight"], self.sd[bn + ".bias"], False, 0.0, EPS)
        return F.relu6(x) if act else x

    def features(self, x):
        """x: [B, 3, H, W] already scaled; returns the tapped block outputs and the last one."""
        x = self.conv_bn(x, "_conv_stem", "_bn0", stride=2)
        out = []
        for n, (e, k, s, i, o) in enumerate(blocks(self.stages)):
            p = f"_blocks.{n}"
            h = self.conv_bn(x, p + "._expand_conv", p + "._bn0") if e != 1 else x
            h = self.conv_bn(h, p + "._depthwise_conv", p + "._bn1", stride=s, groups=h.shape[1])
            h = self.conv_bn(h, p + "._project_conv", p + "._bn2", act=False)
            x = h + x if s == 1 and i == o else h
            if n in self.taps:
                out.append(x)
        return out, x

    def logits(self, x):
        _, x = self.features(x)
        x = self.conv_bn(x, "_conv_head", "_bn1")
        return F.linear(x.mean((2, 3)), self.sd["_fc.weight"], self.sd["_fc.bias"])


def synthetic_grey(h, w):
    """The fixture's input: a deterministic grey pattern (sRGB values 0..255), shared with the Rust test."""
    y = torch.arange(h, dtype=torch.float64)[:, None]
    x = torch.arange(w, dtype=torch.float64)[None, :]
    g = 127.5 + 90 * torch.sin(0.31 * x + 0.1 * y) * torch.cos(0.17 * y) + 30 * torch.cos(0.05 * x * y / 7)
    return g.clamp(0, 255).round()


def fixture(model, h=72, w=104):
    grey = synthetic_grey(h, w).float()
    x = ((grey - 127) / 128)[None, None].repeat(1, 3, 1, 1)
    taps, _ = model.features(x)
    out = {"height": h, "width": w, "taps": []}
    for t in taps:
        t = t[0]
        c, th, tw = t.shape
        g = torch.Generator().manual_seed(c)
        idx = [(int(torch.randint(c, (1,), generator=g)), int(torch.randint(th, (1,), generator=g)),
                int(torch.randint(tw, (1,), generator=g))) for _ in range(24)]
        # Corners too: wrong padding shows there first.
        idx += [(0, 0, 0), (c - 1, th - 1, tw - 1), (c // 2, 0, tw - 1), (c // 3, th - 1, 0)]
        out["taps"].append({
            "shape": [c, th, tw], "mean": t.mean().item(), "std": t.std().item(),
            "channel_means": t.mean((1, 2)).tolist(),
            "samples": [[ci, yi, xi, t[ci, yi, xi].item()] for ci, yi, xi in idx],
        })
    rgb = ((grey - 127) / 128)[None, None].repeat(1, 3, 1, 1)
    top = model.logits(rgb)[0].topk(5)
    out["top5_classes"] = top.indices.tolist()
    out["top5_logits"] = top.values.tolist()
    return out


def classify(model, path):
    from PIL import Image
    img = Image.open(path).convert("RGB").resize((224, 224), Image.BILINEAR)
    x = torch.tensor(list(img.getdata()), dtype=torch.float32).reshape(224, 224, 3).permute(2, 0, 1)[None]
    p = model.logits((x - 127) / 128).softmax(1)[0]
    top = p.topk(5)
    return list(zip(top.indices.tolist(), [round(v, 3) for v in top.values.tolist()]))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("pth")
    ap.add_argument("--fixture")
    ap.add_argument("--classify", nargs="*", default=[])
    ap.add_argument("--arch", choices=sorted(ARCHS), default="lite0")
    a = ap.parse_args()
    m = Lite(a.pth, a.arch)
    with torch.no_grad():
        for p in a.classify:
            print(p, classify(m, p))
        if a.fixture:
            json.dump(fixture(m), open(a.fixture, "w"), indent=1)
            print("wrote", a.fixture)
