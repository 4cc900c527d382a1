(module quote
      )