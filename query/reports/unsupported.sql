-- Children identified more than 6 months before the registry date who have no measure
-- with status `done`. The registry date is the date of the newest drop the version
-- holds (`registry_version.registry_date`), so the report does not change with the day
-- it is run.
-- Parameters: {{region}} (two-digit code or NULL).
SELECT c.region_kato,
       c.district_kato,
       c.iin,
       c.last_name,
       c.first_name,
       c.identified_on,
       c.coordinator,
       c.roadmap_status
FROM children c
CROSS JOIN registry_version v
WHERE c.identified_on < v.registry_date - INTERVAL '6' MONTH
  AND ({{region}} IS NULL OR c.region = {{region}})
  AND NOT EXISTS (
      SELECT 1
      FROM measures m
      WHERE m.region = c.region AND m.iin = c.iin AND m.status = 'done'
  )
ORDER BY c.region_kato, c.identified_on, c.iin
