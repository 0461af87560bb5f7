import type { Architecture } from './arch';
import type { TrainingSetup } from './cost/setup';
import { PythonCode, type PythonValue, pythonCode, pythonLiteral, pythonString } from './method-api/python';
import type { MethodConfig, PeftExport, PeftMethod, PeftRun } from './method-api/types';

/**
 * The HF PEFT Python snippet that builds a method as the calculator counts it: load the model,
 * build the method's config (declared by the method file's `peft`), `get_peft_model`, and
 * `print_trainable_parameters()`, whose "trainable params" is our trainable count. Methods HF PEFT
 * lacks (and full fine-tuning) declare no `peft` and get no snippet.
 */

export interface SnippetModel {
  /** Hugging Face id (or a local path) passed to `from_pretrained`. */
  id: string;
  arch: Architecture;
}

/** The parts of a training setup that change the snippet. */
export type SnippetSetup = Partial<Pick<TrainingSetup, 'task' | 'numLabels' | 'precision' | 'modulesToSave' | 'vocabSize'>>;

/** What the snippet is built from, for tests and for interfaces that show it in parts. */
export interface PeftSnippetParts {
  modelClass: string;
  /** Arguments of `from_pretrained` after the id. */
  loadArgs: Record<string, PythonValue>;
  /** transformers' BitsAndBytesConfig arguments when the base is loaded quantized. */
  quantization: Readonly<Record<string, PythonValue>> | null;
  configClass: string;
  /** The method's arguments, then `task_type` and `modules_to_save` where they apply. */
  args: Record<string, PythonValue>;
  resizeVocab: number | null;
  note: string | null;
}

type Kind = 'causal' | 'seq2seq' | 'encoder';

function modelKind(arch: Architecture): Kind {
  if (arch.stacks.length > 1) return 'seq2seq';
  return arch.stacks[0]?.kind === 'encoder' ? 'encoder' : 'causal';
}

const MODEL_CLASS: Record<Kind, string> = { causal: 'AutoModelForCausalLM', seq2seq: 'AutoModelForSeq2SeqLM', encoder: 'AutoModelForMaskedLM' };
/** HF PEFT's TaskType per kind; it has none for masked language modelling (the plain PeftModel). */
const TASK_TYPE: Record<Kind, string | null> = { causal: 'CAUSAL_LM', seq2seq: 'SEQ_2_SEQ_LM', encoder: null };

/** HF PEFT's prompt-learning configs, which need a task type on every model. */
const PROMPT_LEARNING_CONFIGS = ['PromptTuningConfig', 'PrefixTuningConfig', 'PromptEncoderConfig', 'AdaptionPromptConfig'];

const DTYPE: Record<string, string> = { fp32: 'torch.float32', bf16: 'torch.bfloat16', fp16: 'torch.float16' };

/** NF4 as QLoRA loads it: double quantization, BFloat16 compute (QLoRA §3). */
const NF4_CONFIG = { load_in_4bit: true, bnb_4bit_quant_type: 'nf4', bnb_4bit_use_double_quant: true, bnb_4bit_compute_dtype: pythonCode('torch.bfloat16') };

/** The snippet's parts, or null when HF PEFT has no such method. */
export function peftSnippetParts(model: SnippetModel, method: PeftMethod, config: MethodConfig, setup: SnippetSetup = {}, run: PeftRun = {}): PeftSnippetParts | null {
  if (!method.peft) return null;
  const exported: PeftExport = method.peft(config, model.arch, run);
  const kind = modelKind(model.arch);
  const classification = setup.task === 'classification';
  const precision = setup.precision ?? 'bf16';
  const quantization = exported.quantization ?? (precision === 'nf4' ? NF4_CONFIG : precision === 'int8' ? { load_in_8bit: true } : null);
  const loadArgs: Record<string, PythonValue> = {};
  if (classification) loadArgs.num_labels = setup.numLabels ?? 2;
  if (quantization) loadArgs.quantization_config = pythonCode('bnb_config');
  else if (DTYPE[precision]) loadArgs.dtype = pythonCode(DTYPE[precision]);
  const args: Record<string, PythonValue> = {};
  for (const [k, v] of Object.entries(exported.args)) if (v !== undefined) args[k] = v;
  // Prompt learning on a masked LM needs some task type (get_peft_model looks its model class up
  // by it and raises KeyError for None); FEATURE_EXTRACTION wraps the model as it is.
  const promptLearning = PROMPT_LEARNING_CONFIGS.includes(exported.configClass);
  const taskType = classification ? 'SEQ_CLS' : (TASK_TYPE[kind] ?? (promptLearning ? 'FEATURE_EXTRACTION' : null));
  if (taskType) args.task_type = taskType;
  // With task_type SEQ_CLS, HF PEFT adds the classifier head to modules_to_save itself.
  if (setup.modulesToSave && setup.modulesToSave.length > 0) args.modules_to_save = [...setup.modulesToSave];
  return {
    modelClass: classification ? 'AutoModelForSequenceClassification' : MODEL_CLASS[kind],
    loadArgs,
    quantization,
    configClass: exported.configClass,
    args,
    resizeVocab: setup.vocabSize ?? null,
    note: exported.note ?? null,
  };
}

function call(name: string, positional: readonly string[], kwargs: Record<string, PythonValue>): string {
  const parts = [...positional, ...Object.entries(kwargs).map(([k, v]) => `${k}=${pythonLiteral(v)}`)];
  if (parts.length === 0) return `${name}()`;
  return `${name}(\n${parts.map((p) => `    ${p},`).join('\n')}\n)`;
}

/** The Python snippet, or null when HF PEFT has no such method. */
export function peftSnippet(model: SnippetModel, method: PeftMethod, config: MethodConfig, setup: SnippetSetup = {}, run: PeftRun = {}): string | null {
  const p = peftSnippetParts(model, method, config, setup, run);
  if (!p) return null;
  const usesTorch = [...Object.values(p.loadArgs), ...Object.values(p.quantization ?? {})].some((v) => v instanceof PythonCode && v.code.startsWith('torch.'));
  const transformers = [p.modelClass, ...(p.quantization ? ['BitsAndBytesConfig'] : [])];
  const peft = [p.configClass, 'get_peft_model', ...(p.quantization ? ['prepare_model_for_kbit_training'] : [])];
  const lines: string[] = [];
  if (p.note) lines.push(...wrapComment(p.note), '');
  if (usesTorch) lines.push('import torch');
  lines.push(`from transformers import ${transformers.join(', ')}`, `from peft import ${peft.join(', ')}`, '');
  if (p.quantization) lines.push(`bnb_config = ${call('BitsAndBytesConfig', [], { ...p.quantization })}`);
  lines.push(`model = ${call(`${p.modelClass}.from_pretrained`, [pythonString(model.id)], p.loadArgs)}`);
  if (p.resizeVocab !== null) lines.push(`model.resize_token_embeddings(${p.resizeVocab})`);
  if (p.quantization) lines.push('model = prepare_model_for_kbit_training(model)');
  lines.push(`config = ${call(p.configClass, [], p.args)}`, 'model = get_peft_model(model, config)', 'model.print_trainable_parameters()');
  return lines.join('\n');
}

/** A note as Python comment lines of at most about 88 characters. */
function wrapComment(text: string): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.replace(/[\r\n]+/g, ' ').split(' ')) {
    if (line.length + word.length + 1 > 88 && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}
