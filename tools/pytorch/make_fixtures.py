"""Writes the PyTorch fixtures of tests/MLDeepExtensions.Tests/Fixtures/pytorch (run once, with PyTorch installed;
the tests need no Python):

    python3 tools/pytorch/make_fixtures.py tests/MLDeepExtensions.Tests/Fixtures/pytorch [name ...]

Names (e.g. resnet) write only those networks' files; the random draws are those of a full run, so the files already
committed stay as they are.

For each network of equivalents.fixtures(): <name>.pt, its state_dict (random weights, and random batch-norm
statistics so that they matter), and <name>-io.pt, a dict of 'input' (20 random rows) and 'output' (the network's
outputs for them in eval mode, in float32 and computed in float64 as 'output64'). Files the importer must refuse or
convert: mlp-whole-model.pt (torch.save of the module itself), mlp-legacy.pt (PyTorch's pre-1.6 format) and
mlp-float64.pt (the state_dict in float64).
"""
import os
import sys

import torch

from equivalents import fixtures


def main(folder, names=()):
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(20261202)
    for name, (module, (width,)) in fixtures().items():
        with torch.no_grad():
            for child in module.modules():
                if isinstance(child, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
                    child.running_mean.normal_(0, 0.5)
                    child.running_var.uniform_(0.5, 2.0)
                    child.weight.uniform_(0.5, 1.5)
                    child.bias.normal_(0, 0.2)
                    child.num_batches_tracked.fill_(7)
                if isinstance(child, torch.nn.LayerNorm):
                    child.weight.uniform_(0.5, 1.5)
                    child.bias.normal_(0, 0.2)
                if child.__class__.__name__ == "Standardize" and name == "ft-transformer":
                    child.mean.normal_(0, 0.5)
                    child.scale.uniform_(0.5, 2.0)
            for parameter_name, parameter in module.named_parameters():
                if parameter_name.endswith(("class_token", "positions.weight", "in_proj_bias", "out_proj.bias")):
                    parameter.normal_(0, 0.3)
        module.eval()
        rows = torch.randn(20, width)
        with torch.no_grad():
            output = module(rows)
            output64 = module.double()(rows.double())
            module.float()
        if names and name not in names:
            continue
        torch.save(module.state_dict(), os.path.join(folder, f"{name}.pt"))
        torch.save({"input": rows, "output": output, "output64": output64}, os.path.join(folder, f"{name}-io.pt"))
        if name == "mlp":
            torch.save(module, os.path.join(folder, "mlp-whole-model.pt"))
            torch.save(module.state_dict(), os.path.join(folder, "mlp-legacy.pt"), _use_new_zipfile_serialization=False)
            torch.save(module.double().state_dict(), os.path.join(folder, "mlp-float64.pt"))
            module.float()
        print(f"{name}: {sum(p.numel() for p in module.parameters())} weights, output {tuple(output.shape)}, "
              f"|float32 - float64| max {(output.double() - output64).abs().max().item():.2e}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
