-- The annual report's sheet for each decree item: the item's measures that ran in the
-- reporting year (planned from start to end, overlapping {{year}}), by measure type and
-- status, with the children they reached and their money. A measure's money is booked
-- in the year it is planned to start, as `funding --year` books it: a measure that runs
-- over two years is counted in both, its money in one; a cancelled measure's row books
-- no money (0), as `funding` leaves it out.
-- Parameters: {{region}} (two-digit code or NULL), {{year}} (the reporting year).
SELECT m.decree_item AS item,
       m.measure_type,
       m.status,
       count(*) AS measures,
       count(DISTINCT m.region || m.iin) AS children,
       coalesce(sum(m.amount_kzt) FILTER (WHERE date_part('year', m.planned_start) = {{year}}
                                             AND m.status <> 'cancelled'), 0) AS amount_kzt
FROM measures m
WHERE m.decree_item IS NOT NULL
  AND date_part('year', m.planned_start) <= {{year}}
  AND date_part('year', m.planned_end) >= {{year}}
  AND ({{region}} IS NULL OR m.region = {{region}})
GROUP BY m.decree_item, m.measure_type, m.status
ORDER BY item, m.measure_type, m.status
