/**
 * Newsfeed's tables, written once for SQLite (libSQL on Node, a Durable Object's SQLite on the edge; both
 * ship FTS5). Times are epoch milliseconds. Every statement is idempotent, so `migrate` runs at each start.
 */
export const NEWSFEED_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    title TEXT,
    site_link TEXT,
    format TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    added_by TEXT,
    created_at INTEGER NOT NULL,
    last_fetch_at INTEGER,
    last_success_at INTEGER,
    last_error TEXT,
    next_check_at INTEGER,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    etag TEXT,
    last_modified TEXT,
    entry_count INTEGER NOT NULL DEFAULT 0
  )`,
  // The scheduler's question: which active feeds are due.
  "CREATE INDEX IF NOT EXISTS feeds_due ON feeds (status, next_check_at)",
  `CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    feed_id INTEGER NOT NULL REFERENCES feeds (id),
    entry_key TEXT NOT NULL,
    link TEXT,
    link_key TEXT,
    title TEXT,
    title_key TEXT,
    summary TEXT,
    summary_text TEXT NOT NULL DEFAULT '',
    content TEXT,
    author TEXT,
    published_at INTEGER,
    updated_at INTEGER,
    posted_at INTEGER NOT NULL,
    categories TEXT NOT NULL DEFAULT '[]',
    enclosures TEXT NOT NULL DEFAULT '[]',
    content_hash TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    changed_at INTEGER NOT NULL,
    like_count INTEGER NOT NULL DEFAULT 0,
    UNIQUE (feed_id, entry_key)
  )`,
  // Candidates for the feeds: newest overall, newest per followed source, newest since a time.
  "CREATE INDEX IF NOT EXISTS articles_by_posted ON articles (posted_at)",
  "CREATE INDEX IF NOT EXISTS articles_by_feed_posted ON articles (feed_id, posted_at)",
  "CREATE INDEX IF NOT EXISTS articles_by_seen ON articles (seen_at)",
  "CREATE INDEX IF NOT EXISTS articles_by_likes ON articles (like_count, posted_at)",
  // Other sources' copies of a liked story, which recommendations leave out.
  "CREATE INDEX IF NOT EXISTS articles_by_link_key ON articles (link_key)",
  // One row per (article, normalised category): the topic follows join through it.
  `CREATE TABLE IF NOT EXISTS article_topics (
    article_id INTEGER NOT NULL,
    topic TEXT NOT NULL,
    posted_at INTEGER NOT NULL,
    PRIMARY KEY (article_id, topic)
  )`,
  "CREATE INDEX IF NOT EXISTS article_topics_by_topic ON article_topics (topic, posted_at)",
  `CREATE TABLE IF NOT EXISTS follow_sources (
    user_id TEXT NOT NULL,
    feed_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, feed_id)
  )`,
  "CREATE INDEX IF NOT EXISTS follow_sources_by_feed ON follow_sources (feed_id)",
  `CREATE TABLE IF NOT EXISTS follow_topics (
    user_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, topic)
  )`,
  "CREATE INDEX IF NOT EXISTS follow_topics_by_topic ON follow_topics (topic)",
  `CREATE TABLE IF NOT EXISTS likes (
    user_id TEXT NOT NULL,
    article_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, article_id)
  )`,
  "CREATE INDEX IF NOT EXISTS likes_by_article ON likes (article_id, user_id)",
  // Full text over titles and summaries. External content: the index reads `articles`, the triggers keep
  // it in step with every write, whichever statement makes it.
  `CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title, summary_text, content='articles', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
  )`,
  `CREATE TRIGGER IF NOT EXISTS articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, summary_text) VALUES (new.id, new.title, new.summary_text);
  END`,
  `CREATE TRIGGER IF NOT EXISTS articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, summary_text)
      VALUES ('delete', old.id, old.title, old.summary_text);
  END`,
  `CREATE TRIGGER IF NOT EXISTS articles_fts_update AFTER UPDATE OF title, summary_text ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, summary_text)
      VALUES ('delete', old.id, old.title, old.summary_text);
    INSERT INTO articles_fts (rowid, title, summary_text) VALUES (new.id, new.title, new.summary_text);
  END`,
] as const;
