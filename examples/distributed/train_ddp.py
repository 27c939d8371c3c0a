"""Data-parallel training across SageMaker instances with torch.distributed (gloo on CPU).

Run with the SDK's distribution={"torch_distributed": {"enabled": True}} (hyperparameter
sagemaker_torch_distributed_enabled=true): the toolkit starts it under torchrun, which sets
RANK and WORLD_SIZE, with MASTER_ADDR=algo-1 and MASTER_PORT=7777.
"""

import argparse
import json
import os

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
    args = parser.parse_args()

    backend = "nccl" if torch.cuda.is_available() else "gloo"
    dist.init_process_group(backend=backend)
    rank, world = dist.get_rank(), dist.get_world_size()
    print(f"rank={rank} world_size={world} host={os.environ.get('SM_CURRENT_HOST')} "
          f"master={os.environ.get('MASTER_ADDR')}:{os.environ.get('MASTER_PORT')}", flush=True)

    # Each rank sees a different slice of y = 3x + 2; DDP averages their gradients.
    torch.manual_seed(rank)
    x = torch.randn(256, 1)
    y = 3 * x + 2
    model = DistributedDataParallel(nn.Linear(1, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for step in range(args.steps):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
    total = torch.tensor([loss.item()])
    dist.all_reduce(total)
    print(f"rank={rank} final_loss={loss.item():.6f} summed_loss={total.item():.6f}", flush=True)
    if rank == 0:
        os.makedirs(args.model_dir, exist_ok=True)
        weight, bias = model.module.weight.item(), model.module.bias.item()
        with open(os.path.join(args.model_dir, "model.json"), "w") as f:
            json.dump({"weight": weight, "bias": bias, "world_size": world}, f)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
