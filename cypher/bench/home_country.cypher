// The home country of the benchmark's anchor company.
MATCH (:Company {id: $company})-[:HEADQUARTERED_IN]->(c:Country)
RETURN c.id AS home
