"""The .NET -> PyTorch round trip: loads the weights MLDeepExtensions exported (ModelRunner export-pytorch <folder>)
into the equivalent PyTorch modules and compares PyTorch's outputs with the ones computed in .NET:

    dotnet tests/MLDeepExtensions.ModelRunner/bin/Release/net10.0/MLDeepExtensions.ModelRunner.dll export-pytorch /tmp/exported
    python3 tools/pytorch/check_export.py /tmp/exported

Exits with status 1 when a network differs by more than 1e-5.
"""
import os
import sys

import torch

from equivalents import fixtures


def main(folder):
    worst = 0.0
    for name, (module, _) in fixtures().items():
        module.load_state_dict(torch.load(os.path.join(folder, f"{name}.pt")))
        module.eval()
        io = torch.load(os.path.join(folder, f"{name}-io.pt"))
        with torch.no_grad():
            difference = (module(io["input"]) - io["output"]).abs().max().item()
        worst = max(worst, difference)
        print(f"{name}: largest |PyTorch - MLDeepExtensions| {difference:.2e} over {io['output'].numel()} outputs")
    return 0 if worst <= 1e-5 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
