-- Item 1 of decree 997: gifted children of the target groups, by region, then the
-- national total. `rural_gifted` counts current children in rural areas;
-- `urban_large_or_low_income_gifted` counts current urban children from a large or
-- low-income family. Every region is listed, with zeros.
-- The two groups are those of the `target_groups` view, counted from `children`'s
-- columns directly: building and grouping on the view's text label per child took
-- about a fifth of this report's time.
-- Parameters: {{region}} (two-digit code or NULL), {{lang}} (kk, ru or en).
WITH counts AS (
    SELECT region,
           count(*) FILTER (WHERE area_type = 'rural') AS rural_gifted,
           count(*) FILTER (WHERE (area_type IS DISTINCT FROM 'rural') AND (large_family OR low_income))
               AS urban_large_or_low_income_gifted
    FROM children
    WHERE {{region}} IS NULL OR region = {{region}}
    GROUP BY region
),
by_region AS (
    SELECT r.region_kato,
           r.name_{{lang}} AS region_name,
           coalesce(c.rural_gifted, 0) AS rural_gifted,
           coalesce(c.urban_large_or_low_income_gifted, 0) AS urban_large_or_low_income_gifted
    FROM regions r
    LEFT JOIN counts c ON c.region = r.region
    WHERE {{region}} IS NULL OR r.region = {{region}}
),
report AS (
    SELECT 0 AS part, region_kato, region_name, rural_gifted, urban_large_or_low_income_gifted
    FROM by_region
    UNION ALL
    SELECT 1 AS part, NULL AS region_kato, 'total' AS region_name,
           sum(rural_gifted), sum(urban_large_or_low_income_gifted)
    FROM by_region
)
SELECT region_kato,
       region_name,
       CAST(rural_gifted AS BIGINT) AS rural_gifted,
       CAST(urban_large_or_low_income_gifted AS BIGINT) AS urban_large_or_low_income_gifted,
       CAST(rural_gifted + urban_large_or_low_income_gifted AS BIGINT) AS total
FROM report
ORDER BY part, region_kato
