-- Up Migration
-- Booking a turn's sends was the costliest statement of a turn (issue 17): reserve_send_slots took the conversation's
-- lock and ran three SELECTs per window for every send, and each booking went through the write-ahead log.
--
-- Now it reads the conversation's bookings once (those within the longest window, newest first) and applies the rule
-- of nextSlot (machines/pacing.ts) to that list: a window holding `count` sends or more has room from its count-th
-- newest send plus the window. The bookings within the longest window are the newest of all, so the count-th of the
-- list is the count-th newest within any window, or no send of it at all. Each new booking joins the list before the
-- next is worked out, and all of them are inserted in one statement.
--
-- send_slots is unlogged: a booking matters for seconds, and one lost when the database server crashes (an unlogged
-- table is emptied then, and is not copied to a standby) costs at most a send Teams refuses with 429, which is
-- retried. Nothing else is kept there.
ALTER TABLE send_slots SET UNLOGGED;

CREATE OR REPLACE FUNCTION reserve_send_slots(conv text, now_at timestamptz, counts integer[], windows_ms integer[], n integer)
RETURNS timestamptz[]
LANGUAGE plpgsql
VOLATILE
AS $$
DECLARE
  booked timestamptz[];
  slots timestamptz[] := '{}';
  slot timestamptz;
  moved boolean;
  nth timestamptz;
  span interval;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('pacing:' || conv));
  SELECT coalesce(array_agg(at ORDER BY at DESC), '{}') INTO booked FROM send_slots
   WHERE conversation_id = conv AND at > now_at - (SELECT max(w) FROM unnest(windows_ms) AS w) * interval '1 millisecond';
  FOR k IN 1 .. n LOOP
    slot := now_at;
    moved := true;
    WHILE moved LOOP
      moved := false;
      FOR i IN 1 .. coalesce(array_length(counts, 1), 0) LOOP
        nth := booked[counts[i]];
        span := windows_ms[i] * interval '1 millisecond';
        IF nth IS NOT NULL AND nth + span > slot THEN
          slot := nth + span;
          moved := true;
        END IF;
      END LOOP;
    END LOOP;
    slots := slots || slot;
    booked := ARRAY(SELECT b FROM unnest(booked || slot) AS b ORDER BY b DESC);
  END LOOP;
  INSERT INTO send_slots (conversation_id, at) SELECT conv, unnest(slots);
  RETURN slots;
END;
$$;

-- Down Migration
ALTER TABLE send_slots SET LOGGED;

CREATE OR REPLACE FUNCTION reserve_send_slots(conv text, now_at timestamptz, counts integer[], windows_ms integer[], n integer)
RETURNS timestamptz[]
LANGUAGE plpgsql
VOLATILE
AS $$
DECLARE
  slots timestamptz[] := '{}';
BEGIN
  FOR k IN 1 .. n LOOP
    slots := slots || reserve_send_slot(conv, now_at, counts, windows_ms);
  END LOOP;
  RETURN slots;
END;
$$;
