/**
 * The sample platform's searchable entities and the row sources RB-N-04 reads (the seeds'
 * `search.people_hot(list)`, `search.people_all()`, `search.studios_all()`, `search.work_all()`).
 * Every row source returns `id` (text), the collection's fields and `updated_at` (the catch-up
 * pass reads rows changed since the reindex began). Deleted rows leave a tombstone
 * (`search.deleted_rows`, filled by an AFTER DELETE trigger with the deletion's clock time), read
 * through `search.<entity>_deleted(since)`: the ids deleted since then and absent now (a row
 * deleted and inserted again is not a deletion).
 */
/** The searchable tables: each gets a deletion trigger and `search.<table>_deleted(since)`. */
const SEARCH_ENTITIES = ['people', 'studios', 'work'] as const;

/** A table's tombstone trigger and its deletion source (ids deleted since `since`, absent now). */
const deletionSql = (t: string) => `CREATE OR REPLACE TRIGGER ${t}_deleted AFTER DELETE ON ${t}
  FOR EACH ROW EXECUTE FUNCTION search.record_deletion();
CREATE OR REPLACE FUNCTION search.${t}_deleted(since timestamptz)
  RETURNS TABLE (id text)
  LANGUAGE sql STABLE AS $$
    SELECT DISTINCT d.id FROM search.deleted_rows d
    WHERE d.entity = '${t}' AND d.deleted_at >= since
      AND NOT EXISTS (SELECT 1 FROM ${t} x WHERE x.id = d.id::bigint)
  $$;
`;

export const SEARCH_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS people (
  id bigint PRIMARY KEY,
  name text NOT NULL,
  city text NOT NULL,
  role text NOT NULL,
  bio text,
  rating int NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS people_city_idx ON people (city);
CREATE INDEX IF NOT EXISTS people_role_idx ON people (role);
CREATE INDEX IF NOT EXISTS people_updated_at_idx ON people (updated_at);
CREATE TABLE IF NOT EXISTS studios (
  id bigint PRIMARY KEY,
  name text NOT NULL,
  city text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS work (
  id bigint PRIMARY KEY,
  person_id bigint NOT NULL,
  title text NOT NULL,
  tags text[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS work_updated_at_idx ON work (updated_at);
CREATE SCHEMA IF NOT EXISTS search;
CREATE TABLE IF NOT EXISTS search.deleted_rows (
  entity text NOT NULL,
  id text NOT NULL,
  deleted_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS deleted_rows_entity_at_idx ON search.deleted_rows (entity, deleted_at);
CREATE OR REPLACE FUNCTION search.record_deletion() RETURNS trigger
  LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO search.deleted_rows (entity, id) VALUES (TG_TABLE_NAME, OLD.id::text);
      RETURN OLD;
    END
  $$;
${SEARCH_ENTITIES.map(deletionSql).join('')}CREATE OR REPLACE FUNCTION search.people_all()
  RETURNS TABLE (id text, name text, city text, role text, bio text, rating int, updated_at timestamptz)
  LANGUAGE sql STABLE AS $$
    SELECT p.id::text, p.name, p.city, p.role, p.bio, p.rating, p.updated_at FROM people p ORDER BY p.id
  $$;
-- hot: {"city": [...], "role": [...]}: a person in a hot city with a hot role (a key left out
-- does not filter)
CREATE OR REPLACE FUNCTION search.people_hot(hot jsonb)
  RETURNS TABLE (id text, name text, city text, role text, bio text, rating int, updated_at timestamptz)
  LANGUAGE sql STABLE AS $$
    SELECT p.id::text, p.name, p.city, p.role, p.bio, p.rating, p.updated_at FROM people p
    WHERE (NOT hot ? 'city' OR p.city IN (SELECT jsonb_array_elements_text(hot->'city')))
      AND (NOT hot ? 'role' OR p.role IN (SELECT jsonb_array_elements_text(hot->'role')))
    ORDER BY p.id
  $$;
CREATE OR REPLACE FUNCTION search.studios_all()
  RETURNS TABLE (id text, name text, city text, updated_at timestamptz)
  LANGUAGE sql STABLE AS $$
    SELECT s.id::text, s.name, s.city, s.updated_at FROM studios s ORDER BY s.id
  $$;
CREATE OR REPLACE FUNCTION search.work_all()
  RETURNS TABLE (id text, title text, person_id text, tags text[], updated_at timestamptz)
  LANGUAGE sql STABLE AS $$
    SELECT w.id::text, w.title, w.person_id::text, w.tags, w.updated_at FROM work w ORDER BY w.id
  $$;
`;

/** Cities by weight: the first three hold most people (and most searches). */
export const SEARCH_CITIES = [
  'Paris',
  'London',
  'New York',
  'Berlin',
  'Lisbon',
  'Oslo',
  'Austin',
  'Lagos',
  'Osaka',
  'Quito',
] as const;
/** Roles by weight: the first two are hot. */
export const SEARCH_ROLES = ['photographer', 'model', 'stylist', 'videographer', 'makeup'] as const;

/**
 * Seeds `people` (ids 1..n), `studios` (n/10) and `work` (n/2) set-wise, with a skewed city and
 * role distribution: index ⌊k·u^1.2⌋ of the lists above, so the first entries hold more rows
 * than the rest (the first two cities ~26 %, the first role ~26 %; searches are skewed far more).
 * Deterministic (setseed).
 */
export function searchSeedSql(people: number): string {
  const cities = `ARRAY[${SEARCH_CITIES.map((c) => `'${c}'`).join(',')}]`;
  const roles = `ARRAY[${SEARCH_ROLES.map((c) => `'${c}'`).join(',')}]`;
  return `
SELECT setseed(0.42);
INSERT INTO people (id, name, city, role, bio, rating, updated_at)
SELECT g, 'person ' || g,
  (${cities})[1 + floor(${SEARCH_CITIES.length} * power(random(), 1.2))::int],
  (${roles})[1 + floor(${SEARCH_ROLES.length} * power(random(), 1.2))::int],
  CASE WHEN g % 3 = 0 THEN NULL ELSE 'bio of person ' || g END,
  (g::bigint * 7919) % 1000,
  now() - interval '1 day'
FROM generate_series(1, ${people}) g
ON CONFLICT (id) DO NOTHING;
INSERT INTO studios (id, name, city, updated_at)
SELECT g, 'studio ' || g, (${cities})[1 + (g % ${SEARCH_CITIES.length})], now() - interval '1 day'
FROM generate_series(1, ${Math.max(1, Math.floor(people / 10))}) g
ON CONFLICT (id) DO NOTHING;
INSERT INTO work (id, person_id, title, tags, updated_at)
SELECT g, 1 + (g % ${Math.max(1, people)}), 'work ' || g, ARRAY['tag' || (g % 7), 'tag' || (g % 3)],
  now() - interval '1 day'
FROM generate_series(1, ${Math.max(1, Math.floor(people / 2))}) g
ON CONFLICT (id) DO NOTHING;
ANALYZE people; ANALYZE studios; ANALYZE work;
`;
}
