-- The state of each region's drops: the last drop the registry received (the newest
-- run, then the newest export), its age in days (Kazakhstan time, today), its status,
-- and its rows accepted and rejected, the rejections by error code.
-- Parameters: {{region}} (two-digit code or NULL).
-- A drop whose export time is unknown (refused as manifest_invalid or not_a_drop) is
-- stored at 1970-01-01 00:00 UTC: it has no time and no age here.
WITH last_drop AS (
    SELECT *,
           row_number() OVER (PARTITION BY region ORDER BY run_at DESC, exported_at DESC) AS recency,
           CASE WHEN date_part('epoch', exported_at) = 0 THEN NULL ELSE exported_at END AS known_at
    FROM drops
),
by_code AS (
    SELECT drop_id, code, count(*) AS rejected
    FROM rejections
    GROUP BY drop_id, code
),
codes AS (
    SELECT drop_id, string_agg(code || ': ' || CAST(rejected AS VARCHAR), '; ' ORDER BY code) AS rejected_by_code
    FROM by_code
    GROUP BY drop_id
)
SELECT r.region_kato,
       r.name_{{lang}} AS region_name,
       d.drop_id,
       d.known_at AS exported_at,
       CAST(CAST(now() + INTERVAL '5' HOUR AS DATE) - CAST(d.known_at + INTERVAL '5' HOUR AS DATE) AS BIGINT) AS age_days,
       coalesce(d.status, 'no drop') AS status,
       d.refusal_code,
       d.children_accepted + d.measures_accepted + d.achievements_accepted + d.teachers_accepted AS accepted,
       d.children_rejected + d.measures_rejected + d.achievements_rejected + d.teachers_rejected AS rejected,
       c.rejected_by_code
FROM regions r
LEFT JOIN last_drop d ON d.region = r.region AND d.recency = 1
LEFT JOIN codes c ON c.drop_id = d.drop_id
WHERE {{region}} IS NULL OR r.region = {{region}}
ORDER BY r.region_kato
