import { describe, expect, it } from 'vitest';
import { DEFAULT_SETUP, decodeResults, encodeResults, parseRaceParams, raceQuery, type LaneResult, type RaceSetup } from './race-url';

const parse = (query: string) => parseRaceParams(new URLSearchParams(query));

const RESULTS: LaneResult[] = [
  { method: 'lora', status: 'finished', backend: 'wasm', steps: 300, accuracy: 0.8125, targetSeconds: 12.34, targetStep: 120, msPerStep: 21.456, trainable: 2048, peakBytes: 1_234_567 },
  { method: 'bitfit', status: 'finished', backend: 'webgl', steps: 300, accuracy: 0.5, targetSeconds: null, targetStep: null, msPerStep: 18.5, trainable: 1000, peakBytes: 900_000 },
];

describe('race setup in the address', () => {
  it('reads a valid setup, with commas raw or escaped', () => {
    expect(parse('task=stray&methods=lora,bitfit&steps=20&backend=wasm')).toEqual({
      setup: { task: 'stray', methods: ['lora', 'bitfit'], steps: 20, backend: 'wasm' },
      problems: [],
      shared: null,
    });
    expect(parse('task=topic&methods=lora%2Cadapters%2Cia3').setup.methods).toEqual(['lora', 'adapters', 'ia3']);
  });

  it('falls back to the defaults for an empty address', () => {
    expect(parse('')).toEqual({ setup: DEFAULT_SETUP, problems: [], shared: null });
    expect(DEFAULT_SETUP).toEqual({ task: 'topic', methods: ['full-fine-tuning', 'lora', 'bitfit'], steps: 300, backend: 'auto' });
  });

  it('names an unknown method, suggests close ids, and keeps the valid ones topped up to two', () => {
    const parsed = parse('task=topic&methods=nope&steps=20');
    expect(parsed.setup.methods).toEqual(['full-fine-tuning', 'lora', 'bitfit']);
    expect(parsed.setup.steps).toBe(20);
    expect(parsed.problems[0]).toBe('Unknown method "nope".');
    expect(parsed.problems[1]).toBe('A race needs at least 2 methods that can train on Topic classification; added defaults.');

    const close = parse('methods=lorra,bitfit');
    expect(close.problems[0]).toMatch(/^Unknown method "lorra"; did you mean .*lora/);
    expect(close.setup.methods).toEqual(['bitfit', 'full-fine-tuning']);
  });

  it('rejects markup and overlong ids without echoing them whole', () => {
    const parsed = parse(`methods=${encodeURIComponent('<script>alert(1)</script>')},lora,bitfit`);
    expect(parsed.setup.methods).toEqual(['lora', 'bitfit']);
    expect(parsed.problems).toEqual(['Unknown method "<script>alert(1)</script>".']);
    const long = parse(`methods=${'a'.repeat(100)},lora,bitfit`);
    expect(long.problems[0]).toBe(`Unknown method "${'a'.repeat(30)}…".`);
  });

  it('drops duplicates, methods past six, and methods that cannot train on the task', () => {
    const seven = parse('methods=lora,lora,bitfit,ia3,adapters,dora,vera,loha');
    expect(seven.setup.methods).toEqual(['lora', 'bitfit', 'ia3', 'adapters', 'dora', 'vera']);
    expect(seven.problems).toEqual(['"lora" is listed twice; it races once.', 'A race has at most 6 methods; LoHa was left out.']);

    const warp = parse('task=reverse&methods=warp,lora,bitfit');
    expect(warp.setup.methods).toEqual(['lora', 'bitfit']);
    expect(warp.problems).toHaveLength(1);
    expect(warp.problems[0]).toMatch(/^WARP trains a head over a task's classes, and "Reverse" has none/);
    // On a classification task the same method races.
    expect(parse('task=topic&methods=warp,lora').setup.methods).toEqual(['warp', 'lora']);
  });

  it.each([
    ['steps=9', 'Steps must be a whole number from 10 to 2000, not "9"; using 300.'],
    ['steps=2001', 'Steps must be a whole number from 10 to 2000, not "2001"; using 300.'],
    ['steps=1e3', 'Steps must be a whole number from 10 to 2000, not "1e3"; using 300.'],
    ['steps=-20', 'Steps must be a whole number from 10 to 2000, not "-20"; using 300.'],
    ['steps=', 'Steps must be a whole number from 10 to 2000, not ""; using 300.'],
    ['task=poetry', 'Unknown task "poetry"; the tasks are topic, stray, pair, first, shift, reverse, echo. Showing Topic classification.'],
    ['backend=tpu', 'Unknown backend "tpu"; the backends are auto, webgpu, webgl, wasm, cpu. Choosing automatically.'],
  ])('%s gives one message and the default', (query, message) => {
    const parsed = parse(`${query}&methods=lora,bitfit`);
    expect(parsed.problems).toEqual([message]);
    expect(parsed.setup).toEqual({ ...DEFAULT_SETUP, methods: ['lora', 'bitfit'] });
  });

  it('writes a readable address that reads back to the same setup', () => {
    const setup: RaceSetup = { task: 'echo', methods: ['lora', 'prefix-tuning', 'bitfit'], steps: 40, backend: 'auto' };
    expect(raceQuery(setup)).toBe('?task=echo&methods=lora,prefix-tuning,bitfit&steps=40');
    expect(parse(raceQuery(setup).slice(1))).toEqual({ setup, problems: [], shared: null });
    expect(raceQuery({ ...setup, backend: 'cpu' })).toBe('?task=echo&methods=lora,prefix-tuning,bitfit&steps=40&backend=cpu');
  });
});

describe('shared results in the address', () => {
  const setup: RaceSetup = { task: 'topic', methods: ['lora', 'bitfit'], steps: 300, backend: 'auto' };

  it('encodes compactly and decodes to the rounded values', () => {
    const encoded = encodeResults(RESULTS);
    expect(encoded).toBe('lora~f~w~300~0.8125~12.3~120~21.5~2048~1234567,bitfit~f~l~300~0.5~x~x~18.5~1000~900000');
    expect(decodeResults(encoded, setup)).toEqual({
      results: [
        { ...RESULTS[0], targetSeconds: 12.3, msPerStep: 21.5 },
        RESULTS[1],
      ],
    });
  });

  it('round-trips through the whole address, with the results shown only for that setup', () => {
    const query = raceQuery(setup, RESULTS);
    const parsed = parse(query.slice(1));
    expect(parsed.problems).toEqual([]);
    expect(parsed.shared?.map((r) => [r.method, r.accuracy, r.targetStep])).toEqual([
      ['lora', 0.8125, 120],
      ['bitfit', 0.5, null],
    ]);
  });

  it('keeps an exact match of k/128 exact', () => {
    const odd: LaneResult = { ...(RESULTS[0] as LaneResult), accuracy: 15 / 128 };
    expect(encodeResults([odd])).toContain('~0.1171875~');
    expect(decodeResults(encodeResults([odd, RESULTS[1] as LaneResult]), setup)).toMatchObject({ results: [{ accuracy: 15 / 128 }, {}] });
  });

  it('keeps an errored lane without its numbers', () => {
    const failed: LaneResult = { method: 'bitfit', status: 'error', backend: null, steps: 37, accuracy: null, targetSeconds: null, targetStep: null, msPerStep: 20, trainable: 1000, peakBytes: null };
    const encoded = encodeResults([RESULTS[0] as LaneResult, failed]);
    expect(encoded.endsWith('bitfit~e~x~37~x~x~x~20~1000~x')).toBe(true);
    expect(decodeResults(encoded, setup)).toMatchObject({ results: [{ method: 'lora' }, failed] });
  });

  it.each([
    ['lora~f~w~300~0.8~1~10~20~2048~1', 'it lists 1 results for 2 methods'],
    ['bitfit~f~w~300~0.8~1~10~20~2048~1,lora~f~w~300~0.8~1~10~20~2048~1', 'entry 1 is for "bitfit", not lora'],
    ['lora~f~w~300~0.8~1~10~20~2048,bitfit~f~w~300~0.8~1~10~20~2048~1', 'entry 1 has 9 fields, not 10'],
    ['lora~q~w~300~0.8~1~10~20~2048~1,bitfit~f~w~300~0.8~1~10~20~2048~1', 'entry 1 has an unknown status'],
    ['lora~f~z~300~0.8~1~10~20~2048~1,bitfit~f~w~300~0.8~1~10~20~2048~1', 'entry 1 has an unknown backend'],
    ['lora~f~w~300~1.5~1~10~20~2048~1,bitfit~f~w~300~0.8~1~10~20~2048~1', 'entry 1: exact match is not a number from 0 to 1'],
    ['lora~f~w~301~0.8~1~10~20~2048~1,bitfit~f~w~300~0.8~1~10~20~2048~1', 'entry 1: steps is not a number from 0 to 300'],
    ['lora~f~w~300~0.8~1~10~20~2048~1,bitfit~f~w~300~0.8~1~400~20~2048~1', 'entry 2: step at target is not a number from 0 to 300'],
    ['lora~f~w~300~0.8~NaN~10~20~2048~1,bitfit~f~w~300~0.8~1~10~20~2048~1', 'entry 1: time to target is not a number from 0 to 1000000'],
    ['lora~f~w~300~0.8~1~x~20~2048~1,bitfit~f~w~300~0.8~1~10~20~2048~1', 'entry 1: time and step at target go together'],
    ['lora~f~w~300~x~1~10~20~2048~1,bitfit~f~w~300~0.8~1~10~20~2048~1', 'entry 1: a finished run needs its exact match'],
    ['lora~f~w~300~0.8~1~10~20~20.5~1,bitfit~f~w~300~0.8~1~10~20~2048~1', 'entry 1: trainable parameters is not a number from 0 to 1000000000000'],
  ])('rejects %s: %s', (raw, error) => {
    expect(decodeResults(raw, setup)).toEqual({ error });
    const parsed = parse(`task=topic&methods=lora,bitfit&r=${raw}`);
    expect(parsed.shared).toBeNull();
    expect(parsed.problems).toEqual([`The shared results in this link could not be read (${error}); showing the setup only.`]);
    expect(parsed.setup).toEqual(setup);
  });
});
