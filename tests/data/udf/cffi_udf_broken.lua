function broken(rec)
  return 1 +
end
