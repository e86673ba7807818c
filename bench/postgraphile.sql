-- What PostGraphile needs to answer S1 and S2 like the portal does (the bench database only).
-- S1: the public activities of an urban area, as an SQL function PostGraphile exposes as a root field
-- (a connection), and the next occurrences as a computed column of activity.
CREATE OR REPLACE FUNCTION public.bench_area_activities(area_slug text) RETURNS SETOF public.activity AS $$
  SELECT a.* FROM public.activity a
  JOIN public.plan p ON p.id = a.plan_id
  JOIN public.urbanarea u ON u.id = p.urban_area_id
  WHERE u.slug = area_slug
    AND a.visibility = 'PUBLIC'
    AND p.status IN ('APPROVED_BY_CITY_COUNCIL', 'APPROVED_BY_LBF', 'ACTIVE', 'ENDED')
  ORDER BY a.id
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION public.activity_next_occurrences(a public.activity) RETURNS SETOF public.occurrence AS $$
  SELECT o.* FROM public.occurrence o
  WHERE o.activity_id = a.id AND o.ends_at > now()
  ORDER BY o.starts_at, o.id
$$ LANGUAGE sql STABLE;

-- S2: sub-agreements of a plan (the sub-agreement rows), as a computed column of plan.
CREATE OR REPLACE FUNCTION public.plan_sub_agreements(p public.plan) RETURNS SETOF public.agreement AS $$
  SELECT ag.* FROM public.agreement ag
  WHERE ag.plan_id = p.id AND ag.kind = 'SUB_AGREEMENT'
  ORDER BY ag.focus_area_id, ag.version DESC
$$ LANGUAGE sql STABLE;
