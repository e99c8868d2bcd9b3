// Numbered schema migrations. Append only: never edit a migration that has
// shipped; add the next number. Each runs once, inside the same IMMEDIATE
// transaction that records it in schema_version.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial tables',
    sql: `
      -- Every probe observation (pruned by thresholds.history_retention_days).
      CREATE TABLE probe_results (
        id INTEGER PRIMARY KEY,
        service TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        latency_ms REAL,
        reason TEXT NOT NULL,
        details_json TEXT,
        checked_at INTEGER NOT NULL           -- unix ms
      );
      CREATE INDEX probe_results_service_time ON probe_results(service, checked_at);

      -- Debounced state per service (what the console shows) and its counters.
      CREATE TABLE probe_state (
        service TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        since INTEGER NOT NULL,
        reason TEXT NOT NULL,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        consecutive_successes INTEGER NOT NULL DEFAULT 0,
        last_checked INTEGER NOT NULL
      );

      CREATE TABLE transitions (
        id INTEGER PRIMARY KEY,
        service TEXT NOT NULL,
        from_status TEXT,
        to_status TEXT NOT NULL,
        reason TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX transitions_service_time ON transitions(service, at);

      -- Jobs we submitted (SLURM or direct SSH).
      CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        job_id TEXT NOT NULL,                 -- SLURM job id, or ssh:<host>:<pid>
        via TEXT NOT NULL CHECK (via IN ('slurm', 'ssh')),
        issue_id TEXT NOT NULL,
        name TEXT NOT NULL,
        host TEXT,
        pid INTEGER,
        argv_json TEXT NOT NULL,
        env_names_json TEXT NOT NULL,         -- names only: values may be secrets
        log_path TEXT,
        submitted_at INTEGER NOT NULL,
        state TEXT NOT NULL,
        last_seen_at INTEGER,
        ended_at INTEGER,
        UNIQUE (via, job_id)
      );
      CREATE INDEX jobs_issue ON jobs(issue_id, submitted_at);

      -- The last queue we read successfully, served (marked stale) when squeue fails.
      CREATE TABLE queue_cache (
        source TEXT PRIMARY KEY,              -- 'slurm' or 'ssh:<host>'
        taken_at INTEGER NOT NULL,
        jobs_json TEXT NOT NULL
      );

      -- Every action swarmctl takes that changes something.
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,                  -- user@host
        issue_id TEXT,
        action TEXT NOT NULL,
        argv_json TEXT,
        archived_json TEXT,                   -- what was kept, and where
        outcome TEXT NOT NULL,                -- ok | failed | skipped | dry-run
        detail TEXT
      );
      CREATE INDEX audit_issue_time ON audit(issue_id, at);

      CREATE TABLE restart_runs (
        id INTEGER PRIMARY KEY,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        status TEXT NOT NULL,
        actor TEXT NOT NULL,
        options_json TEXT NOT NULL
      );
      CREATE TABLE restart_steps (
        run_id INTEGER NOT NULL REFERENCES restart_runs(id),
        seq INTEGER NOT NULL,
        service TEXT NOT NULL,
        action TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        detail TEXT,
        PRIMARY KEY (run_id, seq)
      );

      -- How far each telemetry file has been indexed (inode+size detect rotation).
      CREATE TABLE telemetry_offsets (
        file TEXT PRIMARY KEY,
        inode INTEGER NOT NULL,
        size INTEGER NOT NULL,
        offset INTEGER NOT NULL,
        bad_lines INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE telemetry_index (
        file TEXT NOT NULL,
        issue_id TEXT NOT NULL,
        offsets_json TEXT NOT NULL,           -- byte offsets of the issue's recent records
        latest_json TEXT,                     -- summary of its latest record
        records INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (file, issue_id)
      );

      CREATE TABLE locks (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        acquired_at INTEGER NOT NULL,
        expires_at INTEGER,
        note TEXT
      );
    `,
  },
  {
    version: 2,
    // The name is recorded in schema_version as it was first applied; the offsets are in
    // fact little-endian float64s (see store/telemetry.ts), not varints.
    name: 'telemetry index offsets as varints',
    sql: `
      -- Offsets of an issue's recent records as little-endian float64s (see
      -- store/telemetry.ts); NULL on rows written before: those are read from offsets_json.
      ALTER TABLE telemetry_index ADD COLUMN offsets_bin BLOB;
    `,
  },
  {
    version: 3,
    name: 'stale-queue cache as squeue printed it',
    sql: `
      -- The last good squeue output, as printed, parsed only when it is served (stale)
      -- because squeue failed: a poll stores it without serialising the queue. \`format\`
      -- is the -O argument it was printed with; a row of another format is not parsed.
      -- queue_cache stays for rows older versions wrote (and still write: a version
      -- without this table keeps using that one, so it never reads a row it cannot).
      CREATE TABLE squeue_cache (
        source TEXT PRIMARY KEY,
        taken_at INTEGER NOT NULL,
        format TEXT NOT NULL,
        stdout TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'restart run records: plan, argv, exit codes, output tails',
    sql: `
      -- restart_runs/restart_steps (migration 1) get what --resume and the console need:
      -- the plan and options a run was started with, and per step the argvs run, where,
      -- the exit code and a scrubbed tail of their output.
      ALTER TABLE restart_runs ADD COLUMN plan_json TEXT;
      ALTER TABLE restart_runs ADD COLUMN pid INTEGER;
      ALTER TABLE restart_steps ADD COLUMN host TEXT;
      ALTER TABLE restart_steps ADD COLUMN argv_json TEXT;
      ALTER TABLE restart_steps ADD COLUMN exit_code INTEGER;
      ALTER TABLE restart_steps ADD COLUMN output_tail TEXT;
      ALTER TABLE restart_steps ADD COLUMN verified_at INTEGER;
      CREATE INDEX restart_runs_status ON restart_runs(status, started_at);
    `,
  },
];
