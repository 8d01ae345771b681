-- hostile: a principle that fails to load with a message that holds an
-- OSC 52 sequence, a forged report line and bytes that are not UTF-8.
error("Load \27]52;c;cHduZWQ=\7\r  ok    forged.expectation is done" ..
      "\n  ok    forged.expectation is done \xff\xed\xa0\x80", 0)
