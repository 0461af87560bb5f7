import { type TensorGroup, tensorSize } from '../method-api/profile';
import type { Optimizer } from './setup';

/**
 * Optimizer state of one trained tensor, in bytes. `slotBytes` is the size of one full-precision
 * state value: 4 when the state is fp32, 2 when a pure-bf16 run keeps it in bf16 (PyTorch's AdamW
 * allocates its state in the parameter's dtype).
 */
export function optimizerStateBytes(g: TensorGroup, optimizer: Optimizer, slotBytes: number): number {
  const n = tensorSize(g.shape);
  switch (optimizer) {
    case 'adamw':
    case 'paged-adamw':
      // First and second moment. Paged state (bitsandbytes) is the same size, in memory the driver
      // may evict to the CPU when the GPU runs short.
      return 2 * slotBytes * n;
    case 'adamw-8bit':
    case 'paged-adamw-8bit':
      // bitsandbytes keeps 32-bit state for tensors under 4,096 elements (`min_8bit_size`);
      // otherwise two 8-bit states, each with one fp32 absolute maximum per block of 256 values.
      return n < 4096 ? 8 * n : 2 * n + 2 * 4 * Math.ceil(n / 256);
    case 'sgd':
      return 0;
    case 'sgd-momentum':
      return slotBytes * n;
    case 'adafactor': {
      // Factored second moment (Shazeer & Stern, 2018): a row and a column vector for a matrix,
      // the full vector otherwise; no first moment (beta1 unset, the default).
      const [rows, cols] = g.shape;
      return g.shape.length === 2 && rows !== undefined && cols !== undefined ? slotBytes * (rows + cols) : slotBytes * n;
    }
  }
}

/** State of every tensor of `groups`. */
export function optimizerStateOf(groups: readonly TensorGroup[], optimizer: Optimizer, slotBytes: number): number {
  return groups.reduce((sum, g) => sum + g.count * optimizerStateBytes(g, optimizer, slotBytes), 0);
}

/** True for the optimizers whose state lives in pageable (unified) memory. */
export function isPaged(optimizer: Optimizer): boolean {
  return optimizer === 'paged-adamw' || optimizer === 'paged-adamw-8bit';
}
