// Appends large entries to a host's journal with swarmctl's own appendJournal (dist/) as
// fast as it can, until killed: the test SIGKILLs it mid-append.
//   node journal-writer.mjs SHARED_ROOT HOST DIST_JOURNAL_JS
const [root, host, mod] = process.argv.slice(2);
const { appendJournal } = await import(mod);
for (let n = 0; ; n++) {
  appendJournal(root, { at: Date.now(), actor: 'bulk@writer', action: 'bulk.append', issue_id: null, outcome: 'ok', detail: `${n} ${'y'.repeat(60_000)}` }, host);
}
