-- Coverage of the decree's measures: for each region and decree item (6, 8-14, 16, 17)
-- how many of the region's current children have at least one measure of that item
-- with status `done` (completed within {{year}} when a year is given), out of the
-- region's current children. `percent` is covered / registered * 100, rounded to 2
-- decimals, and empty for a region with no children.
-- IINs are grouped as numbers (twelve digits): numbers hash faster than text.
-- Parameters: {{region}} (two-digit code or NULL), {{year}} (a year or NULL).
WITH items AS (
    SELECT DISTINCT decree_item AS item
    FROM measure_types
    WHERE decree_item IS NOT NULL
),
registered AS (
    SELECT region, count(*) AS registered
    FROM children
    WHERE {{region}} IS NULL OR region = {{region}}
    GROUP BY region
),
-- A child is counted once per item however many of its measures are done. Counting
-- distinct (region, item, IIN) triples made ~3 M groups on the national registry; so
-- each child's done items are first gathered into one bit set (bit n for item n; the
-- decree has 19 items), children are counted per region and bit set (at most 2^10
-- sets of the ten items), and each set's children are added to every item in it.
child_items AS (
    SELECT region, bit_or(CAST(1 AS BIGINT) << decree_item) AS items
    FROM measures
    WHERE status = 'done'
      AND decree_item IS NOT NULL
      AND ({{year}} IS NULL OR date_part('year', completed_on) = {{year}})
      AND ({{region}} IS NULL OR region = {{region}})
    GROUP BY region, CAST(iin AS BIGINT)
),
item_sets AS (
    SELECT region, items, count(*) AS children
    FROM child_items
    GROUP BY region, items
),
covered AS (
    SELECT s.region, i.item, sum(s.children) AS covered
    FROM item_sets s
    JOIN items i ON s.items & (CAST(1 AS BIGINT) << i.item) <> 0
    GROUP BY s.region, i.item
)
SELECT r.region_kato,
       i.item,
       coalesce(c.covered, 0) AS covered,
       coalesce(g.registered, 0) AS registered,
       CASE WHEN coalesce(g.registered, 0) = 0 THEN NULL
            ELSE round(CAST(100 AS DOUBLE) * coalesce(c.covered, 0) / g.registered, 2) END AS percent
FROM regions r
CROSS JOIN items i
LEFT JOIN registered g ON g.region = r.region
LEFT JOIN covered c ON c.region = r.region AND c.item = i.item
WHERE {{region}} IS NULL OR r.region = {{region}}
ORDER BY r.region_kato, i.item
