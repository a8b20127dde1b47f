"""The shipped network (src/model/trunk_net.rs on the EfficientNet-Lite0 trunk, with its
colour-reference branch) re-written in PyTorch, loaded from the weights that
examples/peers_export.rs writes, so that the same network can be exported to ONNX and timed in
ONNX Runtime (scripts/bench-peers.sh).

Inference only: batch norm uses its running statistics. Each layer mirrors the Rust one: the
trunk's convolutions with TensorFlow 'SAME' padding (as src/model/trunk.rs and
scripts/torch/efficientnet_lite.py), burn's Linear weights stored [in, out], batch-norm epsilon
1e-5, nearest 2x upsampling, hint planes pooled to each decoder level.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "torch"))
from efficientnet_lite import ARCHS, blocks, same_pad  # noqa: E402

BN_EPS = 1e-5
TRUNKS = {"efficientnet-lite0": "lite0", "efficientnet-lite2": "lite2"}


def load_weights(folder):
    index = json.load(open(os.path.join(folder, "weights.json")))
    blob = np.fromfile(os.path.join(folder, "weights.bin"), dtype="<f4")
    tensors = {}
    for t in index["tensors"]:
        n = int(np.prod(t["shape"]))
        # Names start with the network's variant ("Trunk."), which the twin does not need.
        name = t["name"].split(".", 1)[1]
        tensors[name] = torch.from_numpy(blob[t["offset"]:t["offset"] + n].copy()).reshape(t["shape"])
    return index["config"], tensors


def grey_rgb(l_channel):
    """src/model/trunk.rs grey_rgb: the L channel (L/50 - 1) as the trunk's scaled sRGB grey."""
    lightness = (l_channel + 1.0) * 50.0
    cube = ((lightness + 16.0) / 116.0) ** 3
    linear = lightness / 903.3
    y = torch.where(lightness <= 8.0, linear, cube).clamp(0.0, 1.0)
    gamma = y.clamp_min(1e-12) ** (1.0 / 2.4) * 1.055 - 0.055
    srgb = torch.where(y <= 0.0031308, y * 12.92, gamma)
    scaled = (srgb * 255.0 - 127.0) / 128.0
    return torch.cat([scaled, scaled, scaled], 1)


def pool_hints(hints, factor):
    """src/model/trunk_net.rs pool: mean hint ab over hinted pixels, and the hinted cells."""
    mean = F.avg_pool2d(hints, factor, factor)
    coverage = mean[:, 2:3]
    ab = mean[:, 0:2] / coverage.clamp_min(1e-6)
    return torch.cat([ab, torch.sign(coverage)], 1)


class Twin(nn.Module):
    def __init__(self, config, tensors):
        super().__init__()
        if config["arch"] not in TRUNKS:
            raise SystemExit(f"the twin covers the pretrained-trunk models, not {config['arch']}")
        stages, self.taps = ARCHS[TRUNKS[config["arch"]]]
        # The Rust trunk keeps the blocks up to stride 16 only.
        count = len({name.split(".")[2] for name in tensors if name.startswith("trunk.blocks.")})
        self.specs = list(blocks(stages))[:count]
        self.names = []
        for name, value in tensors.items():
            key = name.replace(".", "__")
            self.register_buffer(key, value)
            self.names.append(name)
        self.has_reference = "reference.hidden.weight" in tensors
        self.has_sight = "reference.sight.weight" in tensors

    def w(self, name):
        return getattr(self, name.replace(".", "__"))

    def has(self, name):
        return name in self.names

    # The trunk: folded batch norm, so every convolution has a bias.
    def conv_same(self, x, name, stride=1, groups=1):
        weight = self.w(name + ".weight")
        x = same_pad(x, weight.shape[-1], stride)
        return F.conv2d(x, weight, self.w(name + ".bias"), stride, 0, 1, groups)

    def trunk(self, rgb):
        x = F.relu6(self.conv_same(rgb, "trunk.stem", stride=2))
        maps = []
        for n, (expand, _kernel, stride, cin, cout) in enumerate(self.specs):
            p = f"trunk.blocks.{n}"
            h = F.relu6(self.conv_same(x, p + ".expand")) if self.has(p + ".expand.weight") else x
            h = F.relu6(self.conv_same(h, p + ".depthwise", stride=stride, groups=h.shape[1]))
            h = self.conv_same(h, p + ".project")
            x = h + x if stride == 1 and cin == cout else h
            if n in self.taps:
                maps.append(x)
        return maps

    def norm(self, x, name):
        return F.batch_norm(x, self.w(name + ".running_mean"), self.w(name + ".running_var"),
                            self.w(name + ".gamma"), self.w(name + ".beta"), False, 0.0, BN_EPS)

    def stage(self, x, name):
        for part in ("first", "second"):
            x = F.conv2d(x, self.w(f"{name}.{part}.conv.weight"), None, 1, 1)
            x = F.relu(self.norm(x, f"{name}.{part}.norm"))
        return x

    def linear(self, x, name):
        return x @ self.w(name + ".weight") + self.w(name + ".bias")

    def global_context(self, x):
        b, c, h, w = x.shape
        pooled = x.mean((2, 3))
        g = F.relu(self.linear(pooled, "global.linear")).reshape(b, c, 1, 1).expand(b, c, h, w)
        fused = F.conv2d(torch.cat([x, g], 1), self.w("global.fuse.weight"), self.w("global.fuse.bias"))
        return F.relu(fused)

    def steering(self, reference, f16):
        hidden = self.linear(reference, "reference.hidden")
        if self.has_sight:
            hidden = hidden + f16.mean((2, 3)) @ self.w("reference.sight.weight")
        hidden = F.relu(hidden)
        return [self.linear(hidden, f"reference.films.{i}") for i in range(2)]

    @staticmethod
    def steer(film, x):
        c = x.shape[1]
        scale = film[:, :c].reshape(-1, c, 1, 1)
        shift = film[:, c:2 * c].reshape(-1, c, 1, 1)
        return x * scale + x + shift

    def forward(self, inputs, reference):
        """inputs: [B, 4, H, W] (L/50 - 1, hint a, hint b, mask); reference: [B, classes + 1]
        (zeros: none). Returns the class logits at H/4 x W/4."""
        l_channel, hints = inputs[:, 0:1], inputs[:, 1:4]
        _, f4, f8, f16 = self.trunk(grey_rgb(l_channel))
        f4, f8, f16 = self.norm(f4, "norms.0"), self.norm(f8, "norms.1"), self.norm(f16, "norms.2")
        films = self.steering(reference, f16) if self.has_reference else None
        x = self.stage(torch.cat([f16, pool_hints(hints, 16)], 1), "bottom")
        x = self.global_context(self.steer(films[0], x) if films else x)
        up = F.interpolate(x, scale_factor=2.0, mode="nearest")
        x = self.stage(torch.cat([up, f8, pool_hints(hints, 8)], 1), "up8")
        x = self.steer(films[1], x) if films else x
        up = F.interpolate(x, scale_factor=2.0, mode="nearest")
        x = self.stage(torch.cat([up, f4, pool_hints(hints, 4)], 1), "up4")
        return F.conv2d(x, self.w("head.weight"), self.w("head.bias"))


def reference_width(tensors):
    weight = tensors.get("reference.hidden.weight")
    return weight.shape[0] if weight is not None else 1
