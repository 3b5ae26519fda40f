// Constraints and indexes, created before every load (IF NOT EXISTS makes them idempotent).
// Statements are separated by semicolons.
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT source_id IF NOT EXISTS FOR (n:Source) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT country_id IF NOT EXISTS FOR (n:Country) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT region_id IF NOT EXISTS FOR (n:Region) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT company_id IF NOT EXISTS FOR (n:Company) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT site_id IF NOT EXISTS FOR (n:Site) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT product_id IF NOT EXISTS FOR (n:Product) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT category_id IF NOT EXISTS FOR (n:Category) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT restriction_id IF NOT EXISTS FOR (n:Restriction) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT statistic_id IF NOT EXISTS FOR (n:Statistic) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT statement_id IF NOT EXISTS FOR (n:Statement) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT load_run_id IF NOT EXISTS FOR (n:LoadRun) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT claim_id IF NOT EXISTS FOR (n:Claim) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT load_lock_id IF NOT EXISTS FOR (n:LoadLock) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT merge_undo_id IF NOT EXISTS FOR (n:MergeUndo) REQUIRE n.id IS UNIQUE;
CREATE INDEX load_run_status IF NOT EXISTS FOR (n:LoadRun) ON (n.status);
CREATE INDEX claim_norm_name IF NOT EXISTS FOR (n:Claim) ON (n.norm_name);
CREATE INDEX claim_set_by IF NOT EXISTS FOR (n:Claim) ON (n.set_by);
CREATE INDEX claim_created_run IF NOT EXISTS FOR (n:Claim) ON (n.created_run);
CREATE INDEX entity_set_by IF NOT EXISTS FOR (n:Entity) ON (n.set_by);
CREATE INDEX entity_created_run IF NOT EXISTS FOR (n:Entity) ON (n.created_run);
CREATE INDEX entity_norm_name IF NOT EXISTS FOR (n:Entity) ON (n.norm_name);
CREATE INDEX statistic_series IF NOT EXISTS FOR (n:Statistic) ON (n.series);
CREATE INDEX relies_on_kind IF NOT EXISTS FOR ()-[r:RELIES_ON]-() ON (r.kind);
CREATE INDEX supplies_category IF NOT EXISTS FOR ()-[r:SUPPLIES]-() ON (r.category)
