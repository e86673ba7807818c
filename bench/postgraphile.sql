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

-- S4: a resident's input submission, the mutation submitResidentInput(input: {subject, groupId, title,
-- body}) (PostGraphile exposes a VOLATILE function as a mutation). The same work as the portal's
-- residentInputSubmit (backend/services/inputs.py submit), but it trusts its caller for who the resident
-- is (subject), where the portal verifies a signed token on every request. A refusal is an exception,
-- which PostGraphile answers as a GraphQL error. While it runs, pg_stat_statements counts the
-- statements inside it (track = all), as it counts each of the portal's.
CREATE OR REPLACE FUNCTION public.submit_resident_input(subject text, group_id integer, title text, body text)
RETURNS public.residentinput AS $$
DECLARE
  clean_title text := normalize(btrim(submit_resident_input.title), NFC);
  clean_body text := normalize(btrim(submit_resident_input.body), NFC);
  content_digest text;
  resident_id integer;
  group_plan_id integer;
  group_name text;
  recent integer;
  duplicate boolean;
  stored public.residentinput;
BEGIN
  IF clean_title = '' OR clean_body = '' OR length(clean_title) > 200 OR length(clean_body) > 5000
     OR clean_title ~ '[\r\n]' OR clean_title || clean_body ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
    RAISE EXCEPTION 'INVALID_TEXT: a title (one line, at most 200 characters) and a text (at most 5000)';
  END IF;
  -- Who, and a row lock: one resident's submissions run one at a time, as the portal's UPDATE of
  -- last_seen_at makes them, so that the limit and the duplicate check count what the others committed.
  UPDATE public.account a SET last_seen_at = now()
    WHERE a.subject = submit_resident_input.subject AND a.kind = 'RESIDENT'
    RETURNING a.id INTO resident_id;
  -- A group of a plan the public may see, for an estate the resident lives in now (backend/actor.py).
  SELECT g.plan_id, g.name INTO group_plan_id, group_name
    FROM public.followupgroup g JOIN public.plan p ON p.id = g.plan_id
    WHERE g.id = submit_resident_input.group_id
      AND p.status IN ('APPROVED_BY_CITY_COUNCIL', 'APPROVED_BY_LBF', 'ACTIVE', 'ENDED')
      AND EXISTS (
        SELECT 1 FROM public.followupgroupestate ge JOIN public.residency r ON r.estate_id = ge.estate_id
        WHERE ge.group_id = g.id AND r.account_id = resident_id
          AND r.since <= current_date AND (r.until IS NULL OR r.until > current_date));
  IF resident_id IS NULL OR group_plan_id IS NULL THEN
    RAISE EXCEPTION 'NOT_FOUND: the follow-up group (you can give input to the groups of the estate you live in)';
  END IF;
  content_digest := encode(sha256(convert_to(
    submit_resident_input.group_id || E'\x1f' || clean_title || E'\x1f' || clean_body, 'UTF8')), 'hex');
  SELECT count(*) FILTER (WHERE i.created_at >= now() - interval '1 hour'), coalesce(bool_or(i.content_hash = content_digest), false)
    INTO recent, duplicate
    FROM public.residentinput i WHERE i.author_account_id = resident_id;
  IF duplicate THEN
    RAISE EXCEPTION 'DUPLICATE: you have already sent exactly the same input';
  END IF;
  IF recent >= 10 THEN
    RAISE EXCEPTION 'RATE_LIMITED: you have sent 10 inputs within the last hour';
  END IF;
  INSERT INTO public.residentinput (group_id, author_account_id, title, body, language, status, channel, published,
                                    hidden, withdrawn, content_hash, created_at, updated_at, version)
    VALUES (submit_resident_input.group_id, resident_id, clean_title, clean_body, 'da', 'RECEIVED', 'WEB', false,
            false, false, content_digest, now(), now(), 1)
    RETURNING * INTO stored;
  -- The audit row as backend/audit.py writes it: the row after, its personal fields replaced by a marker.
  INSERT INTO public.auditevent (at, actor_kind, actor_account_id, action, object_type, object_id, plan_id, after)
    VALUES (now(), 'RESIDENT', resident_id, 'residentInput.submit', 'ResidentInput', stored.id, group_plan_id,
            to_jsonb(stored) || '{"author_account_id": "[personal]", "title": "[personal]", "body": "[personal]"}');
  -- The plan's staff hear of it in the portal unless their preference says no (backend/services/
  -- notifications.py, input_received), and live connections through NOTIFY, as backend/events.py sends it.
  WITH staff AS (
    SELECT a.id FROM public.account a
    LEFT JOIN public.notificationpreference np ON np.account_id = a.id AND np.kind = 'INPUT_RECEIVED'
    WHERE coalesce(np.portal, true) AND a.id <> resident_id AND (
      (a.kind = 'HOUSING_ORGANISATION' AND a.housing_organisation_id IN (
        SELECT po.organisation_id FROM public.planorganisation po WHERE po.plan_id = group_plan_id))
      OR (a.kind = 'MUNICIPALITY' AND a.municipality_id = (
        SELECT u.municipality_id FROM public.plan p JOIN public.urbanarea u ON u.id = p.urban_area_id
        WHERE p.id = group_plan_id)))
  ), written AS (
    INSERT INTO public.notification (account_id, kind, subject_type, subject_id, params, created_at)
    SELECT staff.id, 'INPUT_RECEIVED', 'ResidentInput', stored.id,
           jsonb_build_object('group', group_name, 'link',
                              '/medarbejder/indbakke/' || encode(convert_to('ResidentInput:' || stored.id, 'UTF8'), 'base64')),
           now()
    FROM staff ORDER BY staff.id
    RETURNING id, account_id
  )
  SELECT count(*) INTO recent FROM (
    SELECT pg_notify('helhedsplan_events', json_build_object('topic', 'notificationReceived',
           'notification_ids', array_agg(w.id), 'account_ids', array_agg(w.account_id))::text)
    FROM written w HAVING count(*) > 0
  ) told;
  PERFORM pg_notify('helhedsplan_events', json_build_object('topic', 'residentInputReceived', 'input_id', stored.id,
                    'group_id', stored.group_id, 'plan_id', group_plan_id)::text);
  RETURN stored;
END
$$ LANGUAGE plpgsql VOLATILE SET pg_stat_statements.track = 'all';
