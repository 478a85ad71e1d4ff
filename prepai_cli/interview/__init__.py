"""Running an interview: the loop between a brain, the candidate's input and the interviewer's output."""
