import { type Architecture, assertLinearNames, namesWithRole } from '../arch';
import type { HyperParam, HyperValue, MethodConfig, PeftMethod } from './types';

/**
 * Fills a method's defaults and checks every value against its hyperparameter's range, so the
 * calculators, the CLI and the playground reject the same impossible settings with the same
 * message.
 */
export function resolveConfig(method: PeftMethod, arch: Architecture, input: Readonly<Record<string, HyperValue | undefined>> = {}): MethodConfig {
  const known = new Set(method.hyperparams.map((h) => h.key));
  for (const key of Object.keys(input)) {
    if (!known.has(key)) throw new RangeError(`${method.name} has no hyperparameter "${key}"`);
  }
  const config: Record<string, HyperValue> = {};
  for (const h of method.hyperparams) config[h.key] = resolveOne(h, arch, input[h.key]);
  return config;
}

function resolveOne(h: HyperParam, arch: Architecture, value: HyperValue | undefined): HyperValue {
  switch (h.kind) {
    case 'int':
    case 'number': {
      const v = value ?? h.default;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${h.label} must be a number`);
      if (h.kind === 'int' && !Number.isInteger(v)) throw new RangeError(`${h.label} must be a whole number`);
      if (v < h.min || v > h.max) throw new RangeError(`${h.label} must be between ${h.min} and ${h.max}`);
      return v;
    }
    case 'choice': {
      const v = value ?? h.default;
      if (typeof v !== 'string' || !h.options.some((o) => o.value === v)) {
        throw new RangeError(`${h.label} must be one of ${h.options.map((o) => o.value).join(', ')}`);
      }
      return v;
    }
    case 'modules': {
      const defaults = namesWithRole(arch, h.defaultRoles);
      const v = value ?? (defaults.length > 0 ? defaults : namesWithRole(arch, h.fallbackRoles ?? []));
      const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v;
      if (!Array.isArray(list) || list.length === 0) throw new RangeError(`${h.label} needs at least one module`);
      assertLinearNames(arch, list);
      return [...new Set(list)];
    }
  }
}

export function numberValue(config: MethodConfig, key: string): number {
  const v = config[key];
  if (typeof v !== 'number') throw new TypeError(`hyperparameter "${key}" should be a number`);
  return v;
}

export function stringValue(config: MethodConfig, key: string): string {
  const v = config[key];
  if (typeof v !== 'string') throw new TypeError(`hyperparameter "${key}" should be a string`);
  return v;
}

export function listValue(config: MethodConfig, key: string): string[] {
  const v = config[key];
  if (!Array.isArray(v)) throw new TypeError(`hyperparameter "${key}" should be a list`);
  return v;
}
