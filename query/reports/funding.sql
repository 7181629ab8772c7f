-- Money of the measures: counts and sums in KZT by region, decree item and funding
-- source. Cancelled measures are left out; a measure with no funding source is counted
-- under `unspecified`; mentoring and other measures have no decree item (empty).
-- With {{year}}, only measures planned to start in that year.
-- Parameters: {{region}} (two-digit code or NULL), {{year}} (a year or NULL).
-- The measures are summed by the region's two-digit code first and named by KATO code
-- after: joining the 20 regions to every measure row cost a quarter of the report.
-- They are grouped by the stored funding source, empty included, and the empty one is
-- named `unspecified` after (no accepted funding word is `unspecified`), which spares a
-- computed key per measure row.
WITH sums AS (
    SELECT region,
           decree_item,
           funding_source,
           count(*) AS measures,
           coalesce(sum(amount_kzt), 0) AS amount_kzt
    FROM measures
    WHERE status <> 'cancelled'
      AND ({{year}} IS NULL OR date_part('year', planned_start) = {{year}})
      AND ({{region}} IS NULL OR region = {{region}})
    GROUP BY region, decree_item, funding_source
)
SELECT r.region_kato,
       s.decree_item AS item,
       coalesce(s.funding_source, 'unspecified') AS funding_source,
       s.measures,
       s.amount_kzt
FROM sums s
JOIN regions r ON r.region = s.region
ORDER BY r.region_kato, item NULLS LAST, funding_source
