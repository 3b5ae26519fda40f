// How many rows a paged library query gives from $skip on: the query's own text (after its
// header) stands in for the line below, unchanged, inside a subquery; the runner binds
// $limit to "all rows" and the query's parameters as they are.
CALL () {
$($query)
}
RETURN count(*) AS rows
