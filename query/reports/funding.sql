-- Money of the measures: counts and sums in KZT by region, decree item and funding
-- source. Cancelled measures are left out; a measure with no funding source is counted
-- under `unspecified`; mentoring and other measures have no decree item (empty).
-- With {{year}}, only measures planned to start in that year.
-- Parameters: {{region}} (two-digit code or NULL), {{year}} (a year or NULL).
SELECT r.region_kato,
       m.decree_item AS item,
       coalesce(m.funding_source, 'unspecified') AS funding_source,
       count(*) AS measures,
       coalesce(sum(m.amount_kzt), 0) AS amount_kzt
FROM measures m
JOIN regions r ON r.region = m.region
WHERE m.status <> 'cancelled'
  AND ({{year}} IS NULL OR date_part('year', m.planned_start) = {{year}})
  AND ({{region}} IS NULL OR m.region = {{region}})
GROUP BY r.region_kato, m.decree_item, coalesce(m.funding_source, 'unspecified')
ORDER BY r.region_kato, item NULLS LAST, funding_source
