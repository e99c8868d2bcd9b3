// Record splitting of swarm job logs: ANSI, spans, multi-line records, script echo
// lines, CRLF, and tail windows that keep the file's line numbers.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countNewlines, parseTracingHead, splitLogRecords, splitPhysicalLines, stripAnsi, tailWindow, tailWindowBytes } from '../../../src/recovery/log-records.js';

const SAMPLE = readFileSync(new URL('../../../fixtures/beefcake/swarm-orch-2317.stuck-loop.log', import.meta.url), 'utf8');
const SAMPLE_LINES = SAMPLE.split('\n').slice(0, -1);

function byLine(recs: ReturnType<typeof splitLogRecords>, line: number) {
  const r = recs.find((x) => x.line === line);
  if (!r) throw new Error(`no record at line ${line}`);
  return r;
}

describe('stripAnsi', () => {
  it('removes colour codes and other escape sequences', () => {
    expect(stripAnsi('\x1b[2m2026\x1b[0m \x1b[32m INFO\x1b[0m')).toBe('2026  INFO');
    expect(stripAnsi('a\x1b[1;31mb\x1b[2Kc\x1b[?25hd')).toBe('abcd');
    expect(stripAnsi('x\x1b]0;title\x07y')).toBe('xy');
    expect(stripAnsi('plain — text')).toBe('plain — text');
  });
});

describe('parseTracingHead', () => {
  it('splits timestamp, level, spans, target and message', () => {
    const h = parseTracingHead(
      '2026-04-16T14:03:05.763770Z  INFO execute_tool{gen_ai.tool.name="search_code" gen_ai.tool.call.arguments="{\\"query\\":\\"x}\\"}"}: rig::agent::prompt_request: Tool call rejected tool_name="search_code"',
    );
    expect(h).toEqual({
      ts: '2026-04-16T14:03:05.763770Z',
      level: 'INFO',
      spans: 'execute_tool{gen_ai.tool.name="search_code" gen_ai.tool.call.arguments="{\\"query\\":\\"x}\\"}"}',
      target: 'rig::agent::prompt_request',
      message: 'Tool call rejected tool_name="search_code"',
    });
  });

  it('accepts other fraction lengths and no fraction; rejects non-levels', () => {
    expect(parseTracingHead('2026-04-16T14:03:05.763Z ERROR a::b: x')?.level).toBe('ERROR');
    expect(parseTracingHead('2026-04-16T14:03:05.763770123Z  WARN a: x')?.target).toBe('a');
    expect(parseTracingHead('2026-04-16T14:03:05Z DEBUG a: x')?.message).toBe('x');
    expect(parseTracingHead('2026-04-16T14:03:05.1Z WARNING a: x')).toBeNull();
    expect(parseTracingHead('Cloud model m unavailable (http=401); falling back to f')).toBeNull();
  });

  it('keeps a message without target, and an unclosed span as message', () => {
    expect(parseTracingHead('2026-04-16T14:03:05.000001Z  INFO plain words here')).toMatchObject({ message: 'plain words here' });
    const h = parseTracingHead('2026-04-16T14:03:05.000001Z  INFO span{a="x: target: msg');
    expect(h?.spans).toBe('');
    expect(h?.message).toContain('span{a=');
  });
});

describe('splitLogRecords on the real sample', () => {
  const recs = splitLogRecords(SAMPLE);

  it('makes script and cargo lines before the first record plain records', () => {
    expect(recs.slice(0, 3).map((r) => [r.line, r.kind])).toEqual([
      [1, 'plain'],
      [2, 'plain'],
      [3, 'plain'],
    ]);
    expect(recs[0]?.message).toBe('Using bd-jsonl-shim for beads operations');
    expect(recs[2]?.message).toContain('Running `/scratch/swarm-target/release/swarm-agents');
  });

  it('parses tracing records without ANSI codes', () => {
    const r = byLine(recs, 4);
    expect(r).toMatchObject({ kind: 'tracing', level: 'INFO', ts: '2026-04-16T14:02:11.042545Z', target: 'swarm_agents', spans: '' });
    expect(r.message.startsWith('Swarm orchestrator starting fast=http://vasp-02:8080/v1')).toBe(true);
    expect(r.message).not.toContain('\x1b');
    expect(r.raw).toContain('\x1b[');
    expect(byLine(recs, 119)).toMatchObject({ level: 'ERROR', target: 'swarm_agents::driver', message: 'No-change circuit breaker (state driver) iteration=4' });
  });

  it('separates span prefixes from target and message', () => {
    const r = byLine(recs, 37);
    expect(r.spans.startsWith('execute_tool{gen_ai.operation.name="execute_tool"')).toBe(true);
    expect(r.spans).toContain('gen_ai.tool.call.result="1: # AGENTS.md\\n[…]"');
    expect(r.target).toBe('rig::agent::prompt_request');
    expect(r.message.startsWith('executed tool read_file with args {"path":"AGENTS.md"')).toBe(true);
  });

  it('attaches continuation lines (tool output, error bodies, reports) with their own numbers', () => {
    const tool = byLine(recs, 37);
    expect(tool.endLine).toBe(38);
    expect(tool.continuation).toEqual([{ line: 38, text: '[…]' }]);
    expect(tool.message.endsWith('\n[…]')).toBe(true);

    const slo = byLine(recs, 131);
    expect(slo.message.split('\n')[0]).toBe('SLO: CRITICAL (state driver)');
    expect(slo.endLine).toBe(139);
    expect(slo.continuation[0]).toEqual({ line: 132, text: 'SLO Report: 2 passing, 1 warning, 3 critical [CRITICAL]' });

    const last = recs[recs.length - 1];
    expect(last?.line).toBe(140);
    expect(last?.endLine).toBe(SAMPLE_LINES.length);
    expect(last?.continuation.at(-1)).toEqual({ line: 172, text: 'Error: Issue beefcake-7xjmj NOT resolved' });
  });

  it('covers every physical line exactly once, in order', () => {
    let expectNext = 1;
    for (const r of recs) {
      expect(r.line).toBe(expectNext);
      expect(r.endLine).toBeGreaterThanOrEqual(r.line);
      expectNext = r.endLine + 1;
    }
    expect(expectNext - 1).toBe(SAMPLE_LINES.length);
    expect(recs.filter((r) => r.kind === 'tracing')).toHaveLength(117);
  });

  it('gives the same records for CRLF line ends', () => {
    const crlf = splitLogRecords(SAMPLE.replace(/\n/g, '\r\n'));
    expect(crlf.map((r) => [r.line, r.endLine, r.message, r.raw])).toEqual(recs.map((r) => [r.line, r.endLine, r.message, r.raw]));
  });

  it('numbers from firstLine when given a window', () => {
    const shifted = splitLogRecords(SAMPLE, { firstLine: 1001 });
    expect(shifted.map((r) => r.line - 1000)).toEqual(recs.map((r) => r.line));
  });
});

describe('splitLogRecords edge cases', () => {
  it('returns nothing for empty input and skips blank plain lines', () => {
    expect(splitLogRecords('')).toEqual([]);
    expect(splitLogRecords('\n\n  \n').length).toBe(0);
    expect(splitLogRecords('\nhello\n').map((r) => [r.line, r.message])).toEqual([[2, 'hello']]);
  });

  it('keeps a script echo after the binary as a findable continuation line', () => {
    const text = [
      '2026-04-16T14:14:21.588019Z  INFO swarm_agents::driver: dashboard',
      '=== Swarm Self-Improvement Dashboard ===',
      'Cloud model claude-sonnet-4-6 unavailable (http=401); falling back to Qwen3.5-27B-Distilled',
    ].join('\n');
    const [r] = splitLogRecords(text);
    expect(r?.continuation.map((c) => c.line)).toEqual([2, 3]);
    expect(r?.continuation[1]?.text).toContain('Cloud model claude-sonnet-4-6 unavailable');
  });

  it('splitPhysicalLines handles CRLF, a missing final newline and a lone CR inside a line', () => {
    expect(splitPhysicalLines('a\r\nb\nc')).toEqual(['a', 'b', 'c']);
    expect(splitPhysicalLines('a\rb\n')).toEqual(['a\rb']);
  });
});

describe('tail windows', () => {
  it('cuts at a line boundary and reports the starting line', () => {
    const w = tailWindow(SAMPLE, 3000);
    expect(w.truncated).toBe(true);
    expect(w.partialFirstLine).toBe(false);
    expect(Buffer.byteLength(w.text)).toBeLessThanOrEqual(3000);
    const firstLine = w.text.split('\n')[0];
    expect(firstLine).toBe(SAMPLE_LINES[w.startLine - 1]);
    // Records of the window keep the file's numbers (the first may be a cut record).
    const full = splitLogRecords(SAMPLE);
    const win = splitLogRecords(w.text, { firstLine: w.startLine });
    for (const r of win.slice(1)) {
      const f = full.find((x) => x.line === r.line);
      expect(f?.message).toBe(r.message);
    }
  });

  it('returns the whole text when it fits', () => {
    const w = tailWindow('a\nb\n', 100);
    expect(w).toEqual({ text: 'a\nb\n', startLine: 1, startByte: 0, truncated: false, partialFirstLine: false });
  });

  it('keeps line numbers exact when the caller read only the end of a file', () => {
    const buf = Buffer.from(SAMPLE, 'utf8');
    const offset = buf.length - 5000;
    const chunk = buf.subarray(offset);
    const w = tailWindowBytes(chunk, 4000, { byteOffset: offset, newlinesBefore: countNewlines(buf, 0, offset) });
    expect(w.text.split('\n')[0]).toBe(SAMPLE_LINES[w.startLine - 1]);
    expect(w.startByte).toBe(buf.length - Buffer.byteLength(w.text));
    // A chunk whose first line may be cut: skip it even when it is within maxBytes.
    const w2 = tailWindowBytes(chunk, 1e9, { byteOffset: offset, newlinesBefore: countNewlines(buf, 0, offset) });
    expect(w2.text.split('\n')[0]).toBe(SAMPLE_LINES[w2.startLine - 1]);
  });

  it('starts inside the last line when that line alone is longer than the window', () => {
    const text = `short\n${'x'.repeat(100)}\n`;
    const w = tailWindow(text, 50);
    expect(w.partialFirstLine).toBe(true);
    expect(w.startLine).toBe(2);
    expect(w.text).toBe(`${'x'.repeat(49)}\n`);
  });

  it('never starts inside a UTF-8 sequence', () => {
    const text = `one\n${'—'.repeat(20)}\n`;
    for (let n = 1; n < 70; n++) {
      const w = tailWindow(text, n);
      expect(w.text.includes('\uFFFD')).toBe(false);
    }
  });
});

describe('stripAnsi on cut sequences (found by the fuzzer)', () => {
  it('drops an unterminated ESC[ before a complete colour code, and a lone ESC', async () => {
    const { stripAnsi } = await import('../../../src/recovery/log-records.js');
    expect(stripAnsi('no changes produced \x1b[\x1b[2m2026-04-16T14:10:56Z\x1b[0m')).toBe('no changes produced 2026-04-16T14:10:56Z');
    expect(stripAnsi('tail cut \x1b')).toBe('tail cut ');
    expect(stripAnsi('a\x1bb')).toBe('ab');
  });
});
