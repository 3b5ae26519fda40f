// A decision settles a review: the entities lose their needs_review flag.
MATCH (n:Entity)
WHERE n.id IN $ids
REMOVE n.needs_review
